package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.Epilogue;
import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whole tiles take the epilogue in one pass per tile ({@link TileStore512#mergeTile} for the 32
 * columns of the 512-bit kernel, {@link TileStore256#mergeTile} for the 16 of the AVX2 ones),
 * right-edge tiles vector by vector ({@code store}). A column's bits must not depend on which:
 * C[:, 0:w] of a product one tile wide must equal the N = w product of the same first w columns,
 * which is all edge tile, with no epilogue and every epilogue both paths serve.
 */
class WholeTileEpilogueTest {
    @Test
    void aColumnIsTheSameBitsInAWholeTileAndInAnEdgeTile() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null, KernelProvider::simdUnavailableReason);
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assumeTrue(lanes == 16 || lanes == 8, "the simd micro-kernels are for 512- and 256-bit vectors");
        // The tile's width, and an edge that ends inside its second vector.
        int width = 2 * lanes, edge = lanes + 5;
        int m = 19, k = 37;
        SplittableRandom rnd = new SplittableRandom(11);
        try (Kernels simd = Kernels.create("simd", 1)) {
            Matrix a = random(m, k, rnd), b = random(k, width, rnd), bias = random(1, width, rnd), c0 = random(m, width, rnd);
            Matrix bEdge = copyColumns(b, edge), biasEdge = copyColumns(bias, edge), c0Edge = copyColumns(c0, edge);
            for (float beta : new float[] {0f, 0.75f}) {
                Matrix whole = copyColumns(c0, width), part = copyColumns(c0Edge, edge);
                simd.gemm(false, false, 1.5f, a, b, beta, whole, Epilogue.NONE);
                simd.gemm(false, false, 1.5f, a, bEdge, beta, part, Epilogue.NONE);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < edge; j++) {
                        assertEquals(Float.floatToRawIntBits(whole.get(i, j)), Float.floatToRawIntBits(part.get(i, j)),
                                "no epilogue, beta " + beta + ": C(" + i + ", " + j + ")");
                    }
                }
            }
            for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU}) {
                for (boolean withBias : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 0.75f}) {
                        Matrix whole = copyColumns(c0, width), part = copyColumns(c0Edge, edge);
                        Matrix preWhole = Matrix.allocate(m, width), prePart = Matrix.allocate(m, edge);
                        simd.gemm(false, false, 1.5f, a, b, beta, whole,
                                new Epilogue(withBias ? bias : null, act, 0.2f, preWhole));
                        simd.gemm(false, false, 1.5f, a, bEdge, beta, part,
                                new Epilogue(withBias ? biasEdge : null, act, 0.2f, prePart));
                        String what = act + (withBias ? " with bias" : "") + ", beta " + beta;
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < edge; j++) {
                                assertEquals(Float.floatToRawIntBits(whole.get(i, j)), Float.floatToRawIntBits(part.get(i, j)),
                                        what + ": C(" + i + ", " + j + ")");
                                assertEquals(Float.floatToRawIntBits(preWhole.get(i, j)), Float.floatToRawIntBits(prePart.get(i, j)),
                                        what + ": pre-activation (" + i + ", " + j + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    private static Matrix random(int rows, int cols, SplittableRandom rnd) {
        Matrix x = Matrix.allocate(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) x.set(i, j, (float) (rnd.nextDouble() * 2 - 1));
        }
        return x;
    }

    private static Matrix copyColumns(Matrix x, int cols) {
        Matrix y = Matrix.allocate(x.rows(), cols);
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < cols; j++) y.set(i, j, x.get(i, j));
        }
        return y;
    }
}
