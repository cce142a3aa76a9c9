package dev.lanes.data;

import dev.lanes.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, gzip-compressed or raw (told apart by
 * the gzip magic bytes, not the file name).
 *
 * <p>Layout: a 4-byte magic {@code 00 00 TT DD} (TT the element type, 0x08 for unsigned bytes; DD
 * the number of dimensions), then DD big-endian 32-bit sizes, then the elements, row-major. The
 * first dimension counts items; the others multiply to the item size (28×28 for an MNIST image).
 *
 * <p>A header is never trusted with memory: a raw file's declared size is checked against the file
 * length before anything is allocated, and gzip data is staged in chunks as it arrives, so a header
 * that lies about its size fails at the first missing byte instead of allocating what it claims.
 */
public final class IdxReader {
    /** IDX element type of unsigned bytes, the only one MNIST-style files use. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** Deflate cannot compress better than about 1032:1; more than that declared is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    private static final int CHUNK = 1 << 20;

    private IdxReader() {}

    /** An IDX array: its dimensions, and its elements as a {@code dims[0] × (dims[1]·…)} matrix. */
    public record IdxArray(int[] dims, Matrix values) implements AutoCloseable {
        public IdxArray {
            dims = dims.clone();
        }

        @Override
        public int[] dims() { return dims.clone(); }

        @Override
        public void close() { values.close(); }
    }

    /** Images: {@code count × (height·width)} pixel values divided by {@code divisor} (255: [0, 1]). */
    public static Matrix readImages(Path file, float divisor) {
        return read(file, 3, divisor).values();
    }

    /** Labels: {@code count × 1} class ids (0–255) as floats. */
    public static Matrix readLabels(Path file) {
        return read(file, 1, 1f).values();
    }

    /**
     * Reads an unsigned-byte IDX file with {@code expectedDims} dimensions, each element converted
     * to a float and divided by {@code divisor} (255 maps pixels to [0, 1], 1 keeps them).
     *
     * @throws DataFileException naming the file and byte offset when the file is missing, has the
     *         wrong magic, type or dimension count, or is truncated, padded or corrupt
     */
    public static IdxArray read(Path file, int expectedDims, float divisor) {
        if (!(divisor != 0 && Float.isFinite(divisor))) {
            throw new IllegalArgumentException("cannot divide by " + divisor);
        }
        if (expectedDims < 1 || expectedDims > 255) {
            throw new IllegalArgumentException("an IDX file has 1 to 255 dimensions, not " + expectedDims);
        }
        try (TrackedInput in = TrackedInput.open(file)) {
            int[] dims = readHeader(in, expectedDims);
            long itemSize = 1;
            for (int i = 1; i < dims.length; i++) {
                itemSize *= dims[i];
                if (itemSize > Integer.MAX_VALUE) {
                    throw DataFileException.atOffset(file, 4 + 4L * i, "an item of " + Arrays.toString(Arrays.copyOfRange(dims, 1, dims.length))
                            + " elements is larger than a matrix row can be");
                }
            }
            long payload = (long) dims[0] * itemSize;
            checkDeclaredSizeFits(in, payload);
            List<byte[]> chunks = stage(in, payload);
            in.expectEnd(dims[0] + " items declared in the header");
            Matrix values = Matrix.allocate(dims[0], (int) itemSize);
            convert(chunks, payload, divisor, values.segment());
            return new IdxArray(dims, values);
        }
    }

    private static int[] readHeader(TrackedInput in, int expectedDims) {
        Path file = in.file();
        byte[] magic = new byte[4];
        in.readFully(magic, 0, 4, "the end of the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw DataFileException.atOffset(file, 0, String.format(
                    "not an IDX file: magic number %02x %02x %02x %02x does not start with 00 00",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw DataFileException.atOffset(file, 2, String.format(
                    "IDX element type 0x%02x is not supported (only 0x08, unsigned byte)", type));
        }
        int ndims = magic[3] & 0xff;
        if (ndims != expectedDims) {
            throw DataFileException.atOffset(file, 3, "IDX file has " + ndims + " dimensions, expected " + expectedDims
                    + (expectedDims == 3 ? " (an image file)" : expectedDims == 1 ? " (a label file)" : ""));
        }
        int[] dims = new int[ndims];
        for (int i = 0; i < ndims; i++) {
            long offset = in.position();
            long size = in.readUnsignedInt("the end of the header (dimension " + (i + 1) + " of " + ndims + ")");
            if (size == 0 || size > Integer.MAX_VALUE) {
                throw DataFileException.atOffset(file, offset, "dimension " + (i + 1) + " has size " + size
                        + ", expected 1 to " + Integer.MAX_VALUE);
            }
            dims[i] = (int) size;
        }
        return dims;
    }

    private static void checkDeclaredSizeFits(TrackedInput in, long payload) {
        long header = in.position();
        if (!in.isGzip()) {
            long available = in.fileSize() - header;
            if (payload > available) {
                throw DataFileException.atOffset(in.file(), in.fileSize(), "truncated: the header declares "
                        + payload + " data bytes but the file holds only " + available);
            }
        } else if (payload > MAX_DEFLATE_RATIO * in.fileSize()) {
            throw DataFileException.atOffset(in.file(), 4, "the header declares " + payload
                    + " data bytes, more than a gzip file of " + in.fileSize() + " bytes can hold");
        }
    }

    /** Reads {@code payload} bytes into chunks that are only allocated as data actually arrives. */
    private static List<byte[]> stage(TrackedInput in, long payload) {
        List<byte[]> chunks = new ArrayList<>();
        long remaining = payload;
        while (remaining > 0) {
            int n = (int) Math.min(CHUNK, remaining);
            byte[] chunk = new byte[n];
            chunks.add(chunk);
            in.readFully(chunk, 0, n, "the end of the " + payload + " data bytes the header declares");
            remaining -= n;
        }
        return chunks;
    }

    private static void convert(List<byte[]> chunks, long payload, float divisor, MemorySegment dst) {
        // A table, so that 255 / 255 is exactly 1 (multiplying by 1/255 would not guarantee it).
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = b / divisor;
        float[] floats = new float[(int) Math.min(CHUNK, payload)];
        long written = 0;
        for (byte[] chunk : chunks) {
            for (int i = 0; i < chunk.length; i++) {
                floats[i] = table[chunk[i] & 0xff];
            }
            MemorySegment.copy(floats, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, written * Float.BYTES, chunk.length);
            written += chunk.length;
        }
    }
}
