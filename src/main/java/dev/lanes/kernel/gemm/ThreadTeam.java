package dev.lanes.kernel.gemm;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that run one task at a time, all members together, with the
 * calling thread as member 0. Threads are created once; a call hands the task over through a
 * volatile generation counter, so running a task allocates nothing.
 *
 * <p>Waiting spins briefly (a GEMM call is often only tens of microseconds) and then parks, so an
 * idle team costs no CPU and a team larger than the machine (tests use 3 threads on 2 cores) still
 * makes progress.
 */
public final class ThreadTeam implements AutoCloseable {
    /** Work for one call: member {@code member} of {@code members} does its share. */
    @FunctionalInterface
    public interface Task {
        void run(int member, int members);
    }

    private static final int SPINS = 20_000;

    private final int size;
    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Task task;
    private volatile Thread caller;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public ThreadTeam(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException("a thread team needs at least 1 member, got " + size);
        }
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int i = 1; i < size; i++) {
            final int member = i;
            Thread t = new Thread(() -> workLoop(member), name + "-" + i);
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

    /** Like {@link #run(Task)}, but on the caller alone (as the only member) when {@code callerOnly}. */
    public void run(Task t, boolean callerOnly) {
        if (callerOnly) {
            checkOpen();
            t.run(0, 1);
        } else {
            run(t);
        }
    }

    /**
     * Runs {@code t} on every member and returns when all are done; rethrows the first failure
     * (others are attached as suppressed). Calls from different threads are serialised.
     */
    public synchronized void run(Task t) {
        checkOpen();
        if (size == 1) {
            t.run(0, 1);
            return;
        }
        failure.set(null);
        task = t;
        caller = Thread.currentThread();
        pending.set(size - 1);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        try {
            t.run(0, size);
        } catch (Throwable e) {
            fail(e);
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
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

    private void workLoop(int member) {
        long seen = 0;
        while (true) {
            int spins = 0;
            long g;
            while ((g = generation) == seen && !closed) {
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = g;
            try {
                task.run(member, size);
            } catch (Throwable e) {
                fail(e);
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
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
