package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThreadTeamTest {

    @Test
    void aTeamNeedsAtLeastOneMember() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ThreadTeam(0, "none"));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void everyChunkRunsExactlyOncePerCallOnTeamThreads() {
        for (int size : new int[] {1, 2, 3}) {
            try (ThreadTeam team = new ThreadTeam(size, "every")) {
                assertEquals(size, team.size());
                for (int chunks : new int[] {1, size, 7}) {
                    for (int call = 0; call < 100; call++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                        Set<Thread> threads = ConcurrentHashMap.newKeySet();
                        final int n = chunks;
                        team.run((chunk, count) -> {
                            assertEquals(n, count);
                            runs.incrementAndGet(chunk);
                            threads.add(Thread.currentThread());
                        }, chunks);
                        for (int c = 0; c < chunks; c++) assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks);
                        assertTrue(threads.size() >= 1 && threads.size() <= Math.min(size, chunks), threads.toString());
                        for (Thread t : threads) {
                            assertTrue(t == Thread.currentThread() || t.getName().startsWith("every-"), t.getName());
                        }
                    }
                }
            }
        }
    }

    @Test
    void theCallerTakesOverChunksOfABusyWorker() {
        // One chunk blocks until every other chunk has run: whoever is free must take the rest,
        // so the call finishes even though one member is stuck (as a descheduled worker would be).
        try (ThreadTeam team = new ThreadTeam(2, "steal")) {
            for (int call = 0; call < 20; call++) {
                java.util.concurrent.CountDownLatch others = new java.util.concurrent.CountDownLatch(9);
                AtomicIntegerArray runs = new AtomicIntegerArray(10);
                team.run((chunk, count) -> {
                    runs.incrementAndGet(chunk);
                    if (chunk == 0) {
                        try {
                            assertTrue(others.await(10, TimeUnit.SECONDS), "the other chunks never ran");
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    } else {
                        others.countDown();
                    }
                }, 10);
                for (int c = 0; c < 10; c++) assertEquals(1, runs.get(c));
            }
        }
    }

    @Test
    void membersRunTogether() throws Exception {
        // A barrier only opens if all members are running at the same time.
        try (ThreadTeam team = new ThreadTeam(3, "together")) {
            CyclicBarrier barrier = new CyclicBarrier(3);
            AtomicInteger passed = new AtomicInteger();
            for (int call = 0; call < 20; call++) {
                team.run((member, members) -> {
                    try {
                        barrier.await(10, TimeUnit.SECONDS);
                        passed.incrementAndGet();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            assertEquals(60, passed.get());
        }
    }

    @Test
    void moreMembersThanCoresStillFinishEveryCall() {
        int size = 2 * Runtime.getRuntime().availableProcessors() + 3;
        try (ThreadTeam team = new ThreadTeam(size, "crowd")) {
            AtomicInteger total = new AtomicInteger();
            for (int call = 0; call < 100; call++) {
                team.run((member, members) -> total.incrementAndGet());
            }
            assertEquals(100 * size, total.get());
        }
    }

    @Test
    void aFailureInAnyMemberReachesTheCallerAndTheTeamStaysUsable() {
        try (ThreadTeam team = new ThreadTeam(3, "fail")) {
            for (int failing = 0; failing < 3; failing++) {
                final int f = failing;
                IllegalArgumentException boom = new IllegalArgumentException("boom in member " + f);
                AtomicInteger finished = new AtomicInteger();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> team.run((member, members) -> {
                    if (member == f) throw boom;
                    finished.incrementAndGet();
                }));
                assertSame(boom, e);
                assertEquals(2, finished.get(), "the other members still complete before run returns");

                AtomicInteger ok = new AtomicInteger();
                team.run((member, members) -> ok.incrementAndGet());
                assertEquals(3, ok.get(), "a failure does not leak into the next call");
            }
            AssertionError error = new AssertionError("an Error");
            assertSame(error, assertThrows(AssertionError.class, () -> team.run((member, members) -> {
                if (member == 2) throw error;
            })));
        }
    }

    @Test
    void whenSeveralMembersFailTheFirstFailureIsRethrown() throws Exception {
        // ThreadTeam.run documents "rethrows the first failure". Member 2 fails only well after
        // member 1 has failed, so member 1's exception is the first one.
        try (ThreadTeam team = new ThreadTeam(3, "first")) {
            CountDownLatch firstFailed = new CountDownLatch(1);
            IllegalStateException first = new IllegalStateException("first");
            IllegalStateException second = new IllegalStateException("second");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> team.run((member, members) -> {
                if (member == 1) {
                    firstFailed.countDown();
                    throw first;
                }
                if (member == 2) {
                    try {
                        firstFailed.await();
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw second;
                }
            }));
            assertSame(first, thrown);
        }
    }

    @Test
    void closeStopsTheWorkersAndLaterCallsSaySo() throws Exception {
        for (int size : new int[] {1, 3}) {
            String name = "closing" + size;
            ThreadTeam team = new ThreadTeam(size, name);
            team.run((member, members) -> { });
            team.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run((member, members) -> { }));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            team.close(); // idempotent
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (workersAlive(name) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(workersAlive(name), "worker threads of a closed team must exit");
        }
    }

    private static boolean workersAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith(name + "-") && t.isAlive());
    }

    @Test
    void callsFromSeveralThreadsAreSerialised() throws Exception {
        try (ThreadTeam team = new ThreadTeam(2, "serial")) {
            AtomicInteger active = new AtomicInteger();
            AtomicInteger maxActive = new AtomicInteger();
            Runnable caller = () -> {
                for (int call = 0; call < 200; call++) {
                    team.run((member, members) -> {
                        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        active.decrementAndGet();
                    });
                }
            };
            Thread other = new Thread(caller);
            other.start();
            caller.run();
            other.join();
            assertTrue(maxActive.get() <= 2, "two calls overlapped: " + maxActive.get() + " members active at once");
        }
    }
}
