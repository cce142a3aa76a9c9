package dev.lanes.cli;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The yardstick {@code lanes bench regress} divides by: independent Vector API FMA chains in
 * registers, no memory traffic and no Lanes code. It tracks what the machine can do right now (clock
 * frequency, turbo, other load on the core), so a result normalised by it moves when Lanes gets
 * slower, not when the machine does. A fixed Lanes GEMM would not do: a GEMM regression would slow
 * the yardstick too and hide itself.
 *
 * <p>Eight chains of {@code acc = acc·b + c} with {@code 0 < b < 1} hide the FMA latency, converge
 * to a normal number and never reach denormals.
 */
final class ReferenceFma implements Runnable {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 8;
    private static final int ITERATIONS = 50_000;

    /** Floating-point operations per {@link #run}. */
    static final double FLOP_PER_CALL = 2.0 * CHAINS * SPECIES.length() * ITERATIONS;

    /** Keeps the result observable so the chains cannot be removed. */
    private float sink;

    @Override
    public void run() {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.999f + sink * 1e-30f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.1f), a1 = FloatVector.broadcast(SPECIES, 0.2f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.3f), a3 = FloatVector.broadcast(SPECIES, 0.4f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.5f), a5 = FloatVector.broadcast(SPECIES, 0.6f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.7f), a7 = FloatVector.broadcast(SPECIES, 0.8f);
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
        }
        sink = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    static int vectorBits() {
        return SPECIES.vectorBitSize();
    }
}
