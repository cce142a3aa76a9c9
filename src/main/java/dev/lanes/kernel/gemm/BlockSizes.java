package dev.lanes.kernel.gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The five numbers of a Goto/BLIS GEMM. MR×NR is the register tile (fixed by the micro-kernel);
 * KC, MC and NC are derived from this CPU's cache sizes:
 * <ul>
 *   <li>KC: each K block costs one read and one write of every C tile it touches, so KC is as
 *       long as L2 allows: one packed B micro-panel (KC×NR floats) takes an eighth of L2 (KC = 1024
 *       on this 1 MiB L2) and streams from there, not from L1, while the A micro-panels pass by.
 *       The textbook choice, a B micro-panel that fits in L1 (KC = 384 on this 48 KiB L1), spent
 *       13 % of a 1024³ product merging C tiles whose rows, 4 KiB apart, each sit on their own
 *       page, where the hardware prefetcher does not reach; with KC = 1024, 1024³ went from
 *       185–201 to 210–213 GFLOP/s, 512³ and 128×784·784×256 gained 5–7 %.</li>
 *   <li>MC: the packed A block (MC×KC floats) is reused for every B micro-panel: about half of L2.
 *       The driver scales MC up when K is shorter than KC, keeping the block's bytes.</li>
 *   <li>NC: the packed B block (KC×NC floats) lives in L3 (shared), a few MiB.</li>
 * </ul>
 * Each can be overridden for tuning with {@code -Dlanes.gemm.kc}, {@code .mc}, {@code .nc}.
 */
public record BlockSizes(int mr, int nr, int mc, int kc, int nc) {

    public BlockSizes {
        if (mr < 1 || nr < 1 || kc < 1 || mc < mr || nc < nr || mc % mr != 0 || nc % nr != 0) {
            throw new IllegalArgumentException("inconsistent GEMM block sizes " + this);
        }
    }

    /** Block sizes for an {@code mr × nr} micro-kernel on this machine's caches. */
    public static BlockSizes forTile(int mr, int nr) {
        long l2 = cacheBytes(2, 512 * 1024);
        int kc = (int) Math.max(64, Math.min(1024, l2 / 8 / (nr * Float.BYTES) / 8 * 8));
        int mc = (int) Math.max(mr, (l2 / 2) / ((long) kc * Float.BYTES) / mr * mr);
        int nc = Math.max(nr, 4096 / nr * nr);
        kc = Integer.getInteger("lanes.gemm.kc", kc);
        mc = roundDown(Integer.getInteger("lanes.gemm.mc", mc), mr);
        nc = roundDown(Integer.getInteger("lanes.gemm.nc", nc), nr);
        return new BlockSizes(mr, nr, mc, kc, nc);
    }

    private static int roundDown(int v, int unit) {
        return Math.max(unit, v / unit * unit);
    }

    /** Size of this core's data cache at {@code level} from Linux sysfs, or {@code fallback}. */
    static long cacheBytes(int level, long fallback) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        for (int i = 0; i < 8; i++) {
            Path idx = dir.resolve("index" + i);
            try {
                if (!Files.isDirectory(idx)) break;
                int lvl = Integer.parseInt(Files.readString(idx.resolve("level")).trim());
                String type = Files.readString(idx.resolve("type")).trim().toLowerCase(Locale.ROOT);
                if (lvl == level && !type.equals("instruction")) {
                    return parseSize(Files.readString(idx.resolve("size")).trim(), fallback);
                }
            } catch (IOException | NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    static long parseSize(String s, long fallback) {
        try {
            String t = s.toUpperCase(Locale.ROOT);
            long mult = 1;
            if (t.endsWith("K")) { mult = 1024; t = t.substring(0, t.length() - 1); }
            else if (t.endsWith("M")) { mult = 1024 * 1024; t = t.substring(0, t.length() - 1); }
            return Long.parseLong(t) * mult;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
