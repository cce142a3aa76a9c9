package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that share out the chunks of one task at a time, the calling
 * thread included. Threads are created once; a call publishes the task through one atomic word
 * (generation and next chunk), so running a task allocates nothing.
 *
 * <p>Chunks are claimed, not assigned: whoever is running takes the next one. On a quiet machine
 * every member gets one; when a worker is descheduled (a shared, noisy machine, or more members
 * than cores) the caller and the others take its chunks instead of waiting a scheduler quantum for
 * it. A chunk's work must therefore depend only on its index, never on which thread runs it — which
 * is also what keeps results bitwise identical for every thread count.
 *
 * <p>Waiting spins briefly (a kernel call is often only tens of microseconds), yielding now and then
 * to whatever else wants the CPU, and then parks, so an idle team costs no CPU.
 */
public final class ThreadTeam implements AutoCloseable {
    /** Work for one call: chunk {@code chunk} of {@code chunks}. */
    @FunctionalInterface
    public interface Task {
        void run(int chunk, int chunks);
    }

    private static final int SPINS = 20_000;
    /**
     * Every this many spins a waiting thread offers its CPU to the scheduler (see {@link #pause}).
     * A spin is one PAUSE, tens of nanoseconds, so that is one yield every few microseconds.
     */
    private static final int SPINS_PER_YIELD = 100;
    private static final int CHUNK_BITS = 20;
    private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;

    private final int size;
    private final Thread[] workers;
    /** (generation << CHUNK_BITS) | next unclaimed chunk. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    private volatile Task task;
    private volatile int chunks;
    private volatile Thread caller;

    public ThreadTeam(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException("a thread team needs at least 1 member, got " + size);
        }
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int i = 1; i < size; i++) {
            Thread t = new Thread(this::workLoop, name + "-" + i);
            t.setDaemon(true);
            workers[i - 1] = t;
            t.start();
        }
    }

    public int size() { return size; }

    /** Throws if {@link #close()} was called. */
    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this kernel instance was closed; its worker threads are stopped");
        }
    }

    /**
     * True when the workers may touch {@code segment}. Memory from a confined arena belongs to the
     * thread that created it; work on it must then stay on the caller.
     */
    public boolean workersCanAccess(MemorySegment segment) {
        return segment == null || workers.length == 0 || segment.isAccessibleBy(workers[0]);
    }

    /** Runs {@code t} as {@link #size()} chunks. */
    public void run(Task t) {
        run(t, size);
    }

    /** Like {@link #run(Task)}, but every chunk on the caller when {@code callerOnly}. */
    public void run(Task t, boolean callerOnly) {
        if (callerOnly) {
            checkOpen();
            t.run(0, 1);
        } else {
            run(t);
        }
    }

    /**
     * Runs chunks {@code 0 .. chunks-1} of {@code t}, each exactly once, on whichever members are
     * free, and returns when all are done; rethrows the first failure (others are attached as
     * suppressed). Calls from different threads are serialised.
     */
    public synchronized void run(Task t, int chunks) {
        checkOpen();
        if (chunks < 1 || chunks > CHUNK_MASK) {
            throw new IllegalArgumentException("chunk count must be in [1, " + CHUNK_MASK + "], got " + chunks);
        }
        if (size == 1 || chunks == 1) {
            for (int c = 0; c < chunks; c++) t.run(c, chunks);
            return;
        }
        failure.set(null);
        task = t;
        this.chunks = chunks;
        caller = Thread.currentThread();
        completed.set(0);
        long generation = (state.get() >>> CHUNK_BITS) + 1;
        state.set(generation << CHUNK_BITS); // publishes task and chunks (written before this volatile store)
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(generation, t, chunks);
        int spins = 0;
        while (completed.get() < chunks) {
            if (spins < SPINS) {
                pause(++spins);
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        task = null;
        Throwable f = failure.getAndSet(null);
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            throw new IllegalStateException(f);
        }
    }

    /** Claims and runs chunks of {@code generation} until none are left. */
    private void work(long generation, Task t, int n) {
        while (true) {
            long s = state.get();
            if ((s >>> CHUNK_BITS) != generation) return;
            int chunk = (int) (s & CHUNK_MASK);
            if (chunk >= n) return;
            if (!state.compareAndSet(s, s + 1)) continue;
            try {
                t.run(chunk, n);
            } catch (Throwable e) {
                fail(e);
            }
            if (completed.incrementAndGet() == n) {
                Thread c = caller;
                if (c != null && c != Thread.currentThread()) LockSupport.unpark(c);
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        while (true) {
            int spins = 0;
            long g;
            while ((g = state.get() >>> CHUNK_BITS) == seen && !closed) {
                if (spins < SPINS) {
                    pause(++spins);
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = g;
            // Read after the generation: if these already belong to a newer call, no chunk of
            // generation g is left to claim (a call returns only once all its chunks are done).
            Task t = task;
            int n = chunks;
            if (t != null) work(g, t, n);
        }
    }

    /**
     * One spin of a wait, and now and then a yield. When something else in the machine wants a
     * CPU (another process, more members than cores), a pure spinner holds its CPU for the whole
     * wait, and under the OS's fair share the spinner is as likely to keep running as the thread
     * doing the work it waits for: 784-256-128-10 at batch 128 on this 2-core machine beside one
     * busy process ran at 94–100k samples/s on 2 threads, against 149–162k on 1. Yielding lets the
     * other process run in the waiter's place, and the chunks the waiter did not claim go to whoever
     * is running: 151–155k there, and 198–210k beside a process busy half the time (1 thread
     * 160–163k, 2 threads without yielding 126–145k). With no one else to run, a yield returns at
     * once: in-process A/B on the quiet machine, 2 threads, 0.999 at batch 128, 0.991 at 32, 1.021
     * for 784-1024-1024-10 at 256 (per-epoch ratios, medians).
     */
    private static void pause(int spins) {
        if (spins % SPINS_PER_YIELD == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** Keeps the first failure of a call; later ones ride along as suppressed exceptions. */
    private void fail(Throwable e) {
        if (!failure.compareAndSet(null, e)) {
            Throwable first = failure.get();
            if (first != null && first != e) {
                synchronized (first) {
                    first.addSuppressed(e);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
