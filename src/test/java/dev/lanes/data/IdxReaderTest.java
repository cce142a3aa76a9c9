package dev.lanes.data;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes with the given header fields and payload. */
    static byte[] idx(int type, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(payload);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    DataFileException readFails(Path file, int dims) {
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(file, dims, 1f).close());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void readsImagesRawAndGzipToTheSameValues() throws IOException {
        byte[] pixels = randomBytes(3 * 4 * 5, 1);
        pixels[0] = (byte) 255;
        byte[] file = idx(0x08, new int[] {3, 4, 5}, pixels);
        for (Path p : new Path[] {write("raw", file), write("packed.gz", gzip(file))}) {
            try (IdxReader.IdxArray a = IdxReader.read(p, 3, 255f)) {
                assertArrayEquals(new int[] {3, 4, 5}, a.dims());
                assertEquals(3, a.values().rows());
                assertEquals(20, a.values().cols());
                float[] v = a.values().toArray();
                for (int i = 0; i < pixels.length; i++) {
                    assertEquals((pixels[i] & 0xff) / 255f, v[i], 0f, "element " + i);
                }
                assertEquals(1f, v[0], 0f, "255 must map to exactly 1");
            }
        }
    }

    @Test
    void readsLabelsAsOneColumn() throws IOException {
        Path p = write("labels", idx(0x08, new int[] {4}, new byte[] {7, 0, (byte) 200, 3}));
        try (Matrix labels = IdxReader.readLabels(p)) {
            assertEquals(4, labels.rows());
            assertEquals(1, labels.cols());
            assertArrayEquals(new float[] {7, 0, 200, 3}, labels.toArray());
        }
    }

    @Test
    void wrongMagicIsReportedAtOffsetZero() throws IOException {
        byte[] file = idx(0x08, new int[] {1}, new byte[] {1});
        file[0] = 0x12;
        DataFileException e = readFails(write("bad", file), 1);
        assertEquals(0, e.offset().getAsLong());
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    void unsupportedTypeAndWrongDimensionCountNameTheirBytes() throws IOException {
        DataFileException type = readFails(write("float", idx(0x0D, new int[] {1}, new byte[4])), 1);
        assertEquals(2, type.offset().getAsLong());
        DataFileException dims = readFails(write("labels-not-images", idx(0x08, new int[] {2}, new byte[2])), 3);
        assertEquals(3, dims.offset().getAsLong());
        assertTrue(dims.getMessage().contains("1 dimensions, expected 3"), dims.getMessage());
    }

    @Test
    void zeroSizedDimensionIsRefused() throws IOException {
        DataFileException e = readFails(write("empty", idx(0x08, new int[] {0, 28, 28}, new byte[0])), 3);
        assertEquals(4, e.offset().getAsLong());
    }

    @Test
    void rawFileTruncatedAnywhereFailsAtTheFirstMissingByte() throws IOException {
        byte[] full = idx(0x08, new int[] {4, 3, 3}, randomBytes(36, 2));
        for (int cut : new int[] {0, 1, 3, 4, 7, 12, 15, 16, 17, 30, full.length - 1}) {
            Path p = write("cut" + cut, Arrays.copyOf(full, cut));
            DataFileException e = readFails(p, 3);
            assertEquals(cut, e.offset().getAsLong(), "cut at " + cut + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void gzipTruncatedAnywhereFailsWithAClearError() throws IOException {
        byte[] full = idx(0x08, new int[] {50, 10, 10}, randomBytes(5000, 3));
        byte[] packed = gzip(full);
        for (int cut : new int[] {1, 2, 5, 10, 11, 20, packed.length / 2, packed.length - 9, packed.length - 4, packed.length - 1}) {
            Path p = write("cut" + cut + ".gz", Arrays.copyOf(packed, cut));
            DataFileException e = readFails(p, 3);
            long offset = e.offset().getAsLong();
            assertTrue(offset >= 0 && offset <= full.length, "cut at " + cut + ": offset " + offset);
        }
    }

    @Test
    void corruptGzipDataIsDetected() throws IOException {
        byte[] packed = gzip(idx(0x08, new int[] {50, 10, 10}, randomBytes(5000, 4)));
        for (int at : new int[] {packed.length / 3, packed.length / 2, packed.length - 6}) {
            byte[] bad = packed.clone();
            bad[at] ^= 0x5a;
            readFails(write("flip" + at + ".gz", bad), 3);
        }
    }

    @Test
    void rawHeaderThatLiesAboutItsSizeIsRefusedBeforeAllocating() throws IOException {
        // Declares 2^31-1 images of 28x28 (about 1.7 TB) in a 116-byte file.
        Path p = write("liar", idx(0x08, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[100]));
        DataFileException e = readFails(p, 3);
        assertEquals(Files.size(p), e.offset().getAsLong());
        assertTrue(e.getMessage().contains("declares"), e.getMessage());
    }

    @Test
    void gzipHeaderThatLiesAboutItsSizeIsRefusedWithoutAllocatingIt() throws IOException {
        Path huge = write("huge.gz", gzip(idx(0x08, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[100])));
        assertEquals(4, readFails(huge, 3).offset().getAsLong());

        // A lie small enough to pass the compression-ratio bound fails at the first missing byte.
        byte[] payload = randomBytes(4 * 784, 5);
        Path lie = write("lie.gz", gzip(idx(0x08, new int[] {40, 28, 28}, payload)));
        DataFileException e = readFails(lie, 3);
        assertEquals(16 + payload.length, e.offset().getAsLong());
    }

    @Test
    void trailingBytesAfterTheDeclaredDataAreAnError() throws IOException {
        byte[] file = idx(0x08, new int[] {2}, new byte[] {1, 2, 3});
        assertEquals(10, readFails(write("padded", file), 1).offset().getAsLong());
        assertEquals(10, readFails(write("padded.gz", gzip(file)), 1).offset().getAsLong());
    }

    @Test
    void missingFileNamesThePath() {
        Path p = dir.resolve("nope.gz");
        DataFileException e = readFails(p, 1);
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }
}
