package dev.lanes.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Structure-blind mutations in the style of libFuzzer's, plus two aimed at size fields: a 32-bit
 * big-endian or 64-bit little-endian word overwritten with a large or boundary value (IDX dimensions,
 * the safetensors header length), and an ASCII number replaced by a huge, negative or fractional one
 * (CSV cells, JSON shapes, offsets and layer widths).
 */
final class Mutator {
    private static final byte[] INTERESTING = {0, 1, -1, 0x7f, (byte) 0x80, '"', ',', ';', '\n', '\r', '{', '[', ':'};
    private static final long[] BIG = {0, 1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 20, 1L << 40, Long.MAX_VALUE, -1};
    private static final String[] NUMBERS = {"0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e309",
        "-0", "3.5", "NaN", "4294967296", "65536"};

    private Mutator() {}

    static byte[] mutate(List<byte[]> seeds, SplittableRandom random) {
        byte[] data = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            data = switch (random.nextInt(8)) {
                case 0 -> flipBits(data, random);
                case 1 -> setInterestingByte(data, random);
                case 2 -> truncate(data, random);
                case 3 -> splice(data, seeds.get(random.nextInt(seeds.size())), random);
                case 4 -> duplicateRange(data, random);
                case 5 -> lyingWord(data, random);
                case 6 -> replaceNumber(data, random);
                default -> deleteRange(data, random);
            };
        }
        return data;
    }

    /**
     * For safetensors: mutates only the JSON header and frames it again with its true length, so the
     * mutation reaches what the header describes (shapes, offsets, the model's architecture) instead
     * of stopping at the length check.
     */
    static byte[] mutateSafetensorsHeader(byte[] file, SplittableRandom random) {
        long headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = headerLength << 8 | (file[i] & 0xff);
        byte[] header = Arrays.copyOfRange(file, 8, 8 + (int) headerLength);
        byte[] data = Arrays.copyOfRange(file, 8 + (int) headerLength, file.length);
        byte[] mutated = mutate(List.of(header), random);
        byte[] length = new byte[8];
        for (int i = 0; i < 8; i++) length[i] = (byte) ((long) mutated.length >>> (8 * i));
        return concat(concat(length, mutated), data);
    }

    private static byte[] flipBits(byte[] d, SplittableRandom random) {
        if (d.length == 0) return d;
        for (int i = 1 + random.nextInt(8); i > 0; i--) d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
        return d;
    }

    private static byte[] setInterestingByte(byte[] d, SplittableRandom random) {
        if (d.length > 0) d[random.nextInt(d.length)] = INTERESTING[random.nextInt(INTERESTING.length)];
        return d;
    }

    private static byte[] truncate(byte[] d, SplittableRandom random) {
        return Arrays.copyOf(d, d.length == 0 ? 0 : random.nextInt(d.length));
    }

    private static byte[] deleteRange(byte[] d, SplittableRandom random) {
        if (d.length < 2) return d;
        int from = random.nextInt(d.length), to = Math.min(d.length, from + 1 + random.nextInt(16));
        return concat(Arrays.copyOfRange(d, 0, from), Arrays.copyOfRange(d, to, d.length));
    }

    /** The head of {@code d} followed by the tail of {@code other}. */
    private static byte[] splice(byte[] d, byte[] other, SplittableRandom random) {
        int cut = d.length == 0 ? 0 : random.nextInt(d.length), from = other.length == 0 ? 0 : random.nextInt(other.length);
        return concat(Arrays.copyOfRange(d, 0, cut), Arrays.copyOfRange(other, from, other.length));
    }

    private static byte[] duplicateRange(byte[] d, SplittableRandom random) {
        if (d.length == 0) return d;
        int from = random.nextInt(d.length), to = Math.min(d.length, from + 1 + random.nextInt(64));
        int at = random.nextInt(d.length + 1);
        return concat(concat(Arrays.copyOfRange(d, 0, at), Arrays.copyOfRange(d, from, to)), Arrays.copyOfRange(d, at, d.length));
    }

    private static byte[] lyingWord(byte[] d, SplittableRandom random) {
        long v = BIG[random.nextInt(BIG.length)];
        // Mostly header fields: IDX dimensions sit at 4..4+4·dims, the safetensors length at 0..8.
        int at = random.nextInt(Math.max(1, Math.min(d.length, random.nextBoolean() ? 24 : d.length)));
        if (random.nextBoolean()) {
            for (int i = 0; i < 4 && at + i < d.length; i++) d[at + i] = (byte) (v >>> (24 - 8 * i));
        } else {
            for (int i = 0; i < 8 && at + i < d.length; i++) d[at + i] = (byte) (v >>> (8 * i));
        }
        return d;
    }

    private static byte[] replaceNumber(byte[] d, SplittableRandom random) {
        int start = -1;
        for (int tries = 0; tries < 16 && start < 0; tries++) {
            int i = d.length == 0 ? -1 : random.nextInt(d.length);
            if (i >= 0 && d[i] >= '0' && d[i] <= '9') start = i;
        }
        if (start < 0) return d;
        while (start > 0 && d[start - 1] >= '0' && d[start - 1] <= '9') start--;
        int end = start;
        while (end < d.length && d[end] >= '0' && d[end] <= '9') end++;
        byte[] number = NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        return concat(concat(Arrays.copyOfRange(d, 0, start), number), Arrays.copyOfRange(d, end, d.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
