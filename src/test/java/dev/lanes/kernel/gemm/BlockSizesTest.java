package dev.lanes.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.GemmProblem;
import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.simd.SimdKernels;
import org.junit.jupiter.api.Test;

class BlockSizesTest {
    private static final String[] PROPS = {"lanes.gemm.kc", "lanes.gemm.mc", "lanes.gemm.nc"};

    /** Runs {@code body} with the block-size properties set to {@code values} (null = unset), then restores them. */
    private static void withProperties(String[] values, Runnable body) {
        String[] saved = new String[PROPS.length];
        for (int i = 0; i < PROPS.length; i++) {
            saved[i] = System.getProperty(PROPS[i]);
            if (values[i] == null) System.clearProperty(PROPS[i]); else System.setProperty(PROPS[i], values[i]);
        }
        try {
            body.run();
        } finally {
            for (int i = 0; i < PROPS.length; i++) {
                if (saved[i] == null) System.clearProperty(PROPS[i]); else System.setProperty(PROPS[i], saved[i]);
            }
        }
    }

    @Test
    void derivedSizesAreConsistentWithTheTileAndTheCaches() {
        withProperties(new String[3], () -> {
            for (int[] tile : new int[][] {{8, 32}, {6, 16}}) {
                BlockSizes b = BlockSizes.forTile(tile[0], tile[1]);
                assertEquals(tile[0], b.mr());
                assertEquals(tile[1], b.nr());
                assertEquals(0, b.mc() % b.mr(), b.toString());
                assertEquals(0, b.nc() % b.nr(), b.toString());
                assertTrue(b.kc() >= 64 && b.kc() <= 1024, b.toString());
                long l2 = BlockSizes.cacheBytes(2, 512 * 1024);
                // One packed B micro-panel takes at most an eighth of L2 (unless KC hit its floor),
                // the packed A block at most all of it.
                assertTrue(b.kc() == 64 || (long) b.kc() * b.nr() * Float.BYTES <= l2 / 8, b + " vs L2 " + l2);
                assertTrue((long) b.mc() * b.kc() * Float.BYTES <= l2 || b.mc() == b.mr(), b + " vs L2 " + l2);
            }
        });
    }

    @Test
    void propertiesOverrideAndAreRoundedToWholeTiles() {
        withProperties(new String[] {"100", "50", "70"}, () -> {
            BlockSizes b = BlockSizes.forTile(8, 32);
            assertEquals(new BlockSizes(8, 32, 48, 100, 64), b);
        });
        withProperties(new String[] {null, "3", "1"}, () -> {
            BlockSizes b = BlockSizes.forTile(8, 32);
            assertEquals(8, b.mc(), "rounded down to at least one tile");
            assertEquals(32, b.nc());
        });
    }

    @Test
    void simdKernelsPickUpThePropertiesWhenCreated() {
        assumeTrue(KernelProvider.simdUnavailableReason() == null);
        withProperties(new String[] {"20", "16", "64"}, () -> {
            try (Kernels k = Kernels.create("simd", 2)) {
                BlockSizes b = ((SimdKernels) k).gemmBlocks();
                assertEquals(20, b.kc());
                assertEquals(b.mr() * (16 / b.mr()), b.mc());
                GemmProblem p = new GemmProblem(70, 130, 90).seed(8).trans(true, false).scale(1f, 0.25f)
                        .epilogue(Activation.LEAKY_RELU, 0.1f, true, true).strided(true, true, true);
                assertNull(p.checkAgainstReference(p.run(k)));
            }
        });
    }

    @Test
    void inconsistentSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BlockSizes(8, 32, 12, 64, 64)); // mc % mr
        assertThrows(IllegalArgumentException.class, () -> new BlockSizes(8, 32, 16, 64, 48)); // nc % nr
        assertThrows(IllegalArgumentException.class, () -> new BlockSizes(8, 32, 16, 0, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BlockSizes(8, 32, 4, 64, 64));
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
    }

    @Test
    void cacheSizesParseLikeSysfs() {
        assertEquals(48 * 1024, BlockSizes.parseSize("48K", -1));
        assertEquals(32 * 1024, BlockSizes.parseSize("32k", -1));
        assertEquals(2 * 1024 * 1024, BlockSizes.parseSize("2M", -1));
        assertEquals(512, BlockSizes.parseSize("512", -1));
        assertEquals(-1, BlockSizes.parseSize("lots", -1));
        assertEquals(-1, BlockSizes.parseSize("", -1));
        assertEquals(123, BlockSizes.cacheBytes(9, 123), "no level-9 cache: the fallback");
        assertTrue(BlockSizes.cacheBytes(1, 1) > 0);
    }
}
