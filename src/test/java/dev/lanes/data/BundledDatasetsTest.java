package dev.lanes.data;

import dev.lanes.tensor.Matrix;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The loaders against the real bundled files; reference values computed independently with Python. */
class BundledDatasetsTest {
    static final Path DATA = Path.of("data");

    @Test
    void mnistHasItsPublishedCountsLabelsAndPixels() {
        try (Split mnist = Datasets.mnist(DATA.resolve("mnist"))) {
            assertNull(mnist.dev());
            check(mnist.train(), 60_000, new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, 1_567_298_545L, 27_525L, 3_121_080_559L,
                    new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
            check(mnist.test(), 10_000, new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, 264_923_200L, 18_454L, 4_001_760_473L,
                    new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), mnist.train().classNames());
        }
    }

    private static void check(Dataset d, int rows, int[] firstLabels, long pixelByteSum, long firstImageSum,
                              long labelCrc32, int[] classCounts) {
        assertEquals(rows, d.rows());
        assertEquals(784, d.featureCount());
        assertEquals(10, d.numClasses());
        for (int i = 0; i < firstLabels.length; i++) assertEquals(firstLabels[i], d.classId(i), "label " + i);
        assertArrayEquals(classCounts, d.classCounts());

        CRC32 crc = new CRC32();
        for (int r = 0; r < rows; r++) crc.update(d.classId(r));
        assertEquals(labelCrc32, crc.getValue(), "CRC-32 of the label bytes");

        MemorySegment x = d.features().segment();
        assertTrue(d.features().isDense());
        long sum = 0;
        long first = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 784; c++) {
                float v = x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, r * 784L + c);
                min = Math.min(min, v);
                max = Math.max(max, v);
                long b = Math.round(v * 255f);
                sum += b;
                if (r == 0) first += b;
            }
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        assertEquals(firstImageSum, first);
        assertEquals(pixelByteSum, sum);
    }

    /** Fashion-MNIST is not bundled; this runs where a copy is found ({@code -Dlanes.fashion.dir=...}). */
    @Test
    void fashionMnistFromAUserPathIsBalanced() {
        Path dir = Path.of(System.getProperty("lanes.fashion.dir", "/work/shared/datasets/fashion-mnist"));
        Assumptions.assumeTrue(Files.isDirectory(dir), "no Fashion-MNIST at " + dir);
        try (Split fashion = Datasets.fashionMnist(dir)) {
            assertEquals(60_000, fashion.train().rows());
            assertEquals(10_000, fashion.test().rows());
            int[] train = fashion.train().classCounts();
            int[] test = fashion.test().classCounts();
            for (int c = 0; c < 10; c++) {
                assertEquals(6000, train[c]);
                assertEquals(1000, test[c]);
            }
            assertEquals("Ankle boot", fashion.train().classNames().get(9));
            assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstClassIds(fashion.train(), 10));
        }
    }

    @Test
    void rawAndGzipMnistFilesReadTheSame(@TempDir Path dir) throws IOException {
        Path gz = DATA.resolve("mnist/t10k-images-idx3-ubyte.gz");
        Path raw = dir.resolve("t10k-images-idx3-ubyte");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, raw);
        }
        assertEquals(7_840_016, Files.size(raw));
        try (Matrix a = IdxReader.readImages(gz, 1f); Matrix b = IdxReader.readImages(raw, 1f)) {
            assertEquals(10_000, b.rows());
            assertEquals(-1, a.segment().mismatch(b.segment()));
        }
    }

    @Test
    void testImagesOfAnotherSizeAreRefusedWhenLoaded(@TempDir Path dir) throws IOException {
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(DATA.resolve("mnist").resolve(f), dir.resolve(f));
        }
        // 10,000 images of 20×20: a well-formed file, but not the training images' 28×28.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + 10_000 * 400);
        b.putInt(0x00000803).putInt(10_000).putInt(20).putInt(20);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), b.array());
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("byte offset 8")
                && e.getMessage().contains("400 pixels") && e.getMessage().contains("784"), e.getMessage());
    }

    @Test
    void missingMnistFileSaysWhatItLookedFor(@TempDir Path dir) {
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void optdigitsHasItsPublishedCounts() {
        try (Split digits = Datasets.optdigits(DATA.resolve("optdigits"))) {
            Dataset train = digits.train();
            Dataset test = digits.test();
            assertEquals(3823, train.rows());
            assertEquals(1797, test.rows());
            assertEquals(64, train.featureCount());
            assertArrayEquals(new int[] {376, 389, 380, 389, 387, 376, 377, 387, 380, 382}, train.classCounts());
            assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, test.classCounts());
            assertArrayEquals(new int[] {0, 0, 7, 4, 6, 2, 5, 5, 0, 8}, firstClassIds(train, 10));
            assertEquals(1_204_758, sum(train.features()), 0);
            assertEquals(561_718, sum(test.features()), 0);
        }
    }

    @Test
    void ilpdIsBinaryWithGenderCodedAndGapsImputed() {
        try (Dataset ilpd = Datasets.ilpd(DATA.resolve("ilpd"))) {
            assertEquals(583, ilpd.rows());
            assertEquals(10, ilpd.featureCount());
            assertEquals(List.of("non-liver patient", "liver patient"), ilpd.classNames());
            assertArrayEquals(new int[] {167, 416}, ilpd.classCounts());
            assertEquals("Gender", ilpd.featureNames().get(1));
            Matrix x = ilpd.features();
            // First row: 65,Female,0.7,0.1,187,16,18,6.8,3.3,0.9,1
            assertArrayEquals(new float[] {65, 0, 0.7f, 0.1f, 187, 16, 18, 6.8f, 3.3f, 0.9f}, x.view(0, 0, 1, 10).toArray());
            assertEquals(1, ilpd.classId(0));
            float males = 0;
            float ages = 0;
            for (int r = 0; r < 583; r++) {
                males += x.get(r, 1);
                ages += x.get(r, 0);
            }
            assertEquals(441, males);
            assertEquals(26_087, ages);
            // Rows 210, 242, 254 and 313 (1-based) had an empty A/G Ratio; its median is 0.93.
            for (int row : new int[] {210, 242, 254, 313}) assertEquals(0.93f, x.get(row - 1, 9), "row " + row);
        }
    }

    @Test
    void californiaHousingTargetIsInHundredThousands() {
        try (Dataset cal = Datasets.californiaHousing(DATA.resolve("california-housing"))) {
            assertEquals(20_640, cal.rows());
            assertEquals(8, cal.featureCount());
            assertFalse(cal.isClassification());
            assertEquals(1, cal.labelCols());
            assertEquals("medianIncome", cal.featureNames().get(7));
            assertEquals(4.526f, cal.labels().get(0, 0), 1e-6f);
            assertEquals(-122.23f, cal.features().get(0, 0));
            assertEquals(42_695.04061, sum(cal.labels()), 1e-3);
            assertEquals(3.870671, sum(cal.features().view(0, 7, 20_640, 1)) / 20_640, 1e-6);
        }
    }

    static int[] firstClassIds(Dataset d, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = d.classId(i);
        return ids;
    }

    static double sum(Matrix m) {
        double s = 0;
        for (float v : m.toArray()) s += v;
        return s;
    }
}
