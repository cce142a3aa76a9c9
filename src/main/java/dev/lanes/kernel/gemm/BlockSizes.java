package dev.lanes.kernel.gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The five numbers of a Goto/BLIS GEMM. MR×NR is the register tile (fixed by the micro-kernel);
 * KC, MC and NC are derived from this CPU's cache sizes so each packed operand stays in the level
 * it is reused from:
 * <ul>
 *   <li>KC: one packed B micro-panel (KC×NR floats) is reused against every A micro-panel of the
 *       block, so it should stay in L1: KC·NR floats = the L1 size. The textbook choice, half of
 *       L1 (KC = 192 on this 48 KiB L1), measured 140 GFLOP/s at 1024³ against 165 for the full L1
 *       (KC = 384): a longer K block halves how often each C tile is read and written, and the
 *       A micro-panel streaming past is small (8 rows).</li>
 *   <li>MC: the packed A block (MC×KC floats) is reused for every B micro-panel: about half of L2.</li>
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
        long l1 = cacheBytes(1, 32 * 1024);
        long l2 = cacheBytes(2, 512 * 1024);
        int kc = (int) Math.max(64, Math.min(512, l1 / (nr * Float.BYTES) / 8 * 8));
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
