package dev.lanes.nn;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The idle inference workspaces of a model, in a fixed number of slots taken and filled by
 * compare-and-set. A concurrent deque allocated a node on every return, 24 B per prediction, where a
 * prediction should allocate nothing. When more threads predict at once than there are slots, the
 * extra workspaces are closed on return and made again when needed.
 */
final class WorkspacePool {
    private final AtomicReferenceArray<InferenceWorkspace> slots;

    WorkspacePool(int slots) {
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** An idle workspace, or null when none is. */
    InferenceWorkspace take() {
        for (int i = 0; i < slots.length(); i++) {
            InferenceWorkspace w = slots.get(i);
            if (w != null && slots.compareAndSet(i, w, null)) return w;
        }
        return null;
    }

    /** Returns {@code w} to the pool, or closes it when every slot is taken. */
    void give(InferenceWorkspace w) {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, w)) return;
        }
        w.close();
    }

    /** Closes every idle workspace. */
    void closeAll() {
        for (int i = 0; i < slots.length(); i++) {
            InferenceWorkspace w = slots.getAndSet(i, null);
            if (w != null) w.close();
        }
    }
}
