package dev.lanes.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A binary input that knows its byte offset, so every failure can name the file and the place.
 * Gzip files (magic 1f 8b) are decompressed transparently; offsets then count decompressed bytes,
 * which is where the format's own offsets (IDX header fields) live.
 */
final class TrackedInput implements AutoCloseable {
    private static final int BUFFER = 1 << 16;

    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private final long fileSize;
    private long position;

    private TrackedInput(Path file, InputStream in, boolean gzip, long fileSize) {
        this.file = file;
        this.in = in;
        this.gzip = gzip;
        this.fileSize = fileSize;
    }

    static TrackedInput open(Path file) {
        long size;
        InputStream raw;
        try {
            size = Files.size(file);
            raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        } catch (NoSuchFileException e) {
            throw DataFileException.ofFile(file, "no such file", e);
        } catch (IOException e) {
            throw DataFileException.ofFile(file, "cannot be read: " + e.getMessage(), e);
        }
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new TrackedInput(file, new GZIPInputStream(raw, BUFFER), true, size);
            }
            return new TrackedInput(file, raw, false, size);
        } catch (IOException e) {
            closeQuietly(raw);
            throw DataFileException.atOffset(file, 0, "not a readable gzip file: " + e.getMessage(), e);
        }
    }

    Path file() { return file; }

    boolean isGzip() { return gzip; }

    /** Size of the file on disk (compressed size for gzip). */
    long fileSize() { return fileSize; }

    /** Offset of the next byte to be read (in the decompressed data for gzip). */
    long position() { return position; }

    /** Reads exactly {@code len} bytes; fails at the offset of the first byte that is missing. */
    void readFully(byte[] buffer, int off, int len, String what) {
        int got = 0;
        while (got < len) {
            int n;
            try {
                n = in.read(buffer, off + got, len - got);
            } catch (EOFException e) {
                throw truncated(what, e);
            } catch (IOException e) {
                throw corrupt(e);
            }
            if (n < 0) {
                throw truncated(what, null);
            }
            got += n;
            position += n;
        }
    }

    /** Reads a 32-bit big-endian unsigned integer. */
    long readUnsignedInt(String what) {
        byte[] b = new byte[4];
        readFully(b, 0, 4, what);
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    /**
     * Fails unless the data ends here. For gzip this also makes the stream check its CRC and length
     * trailer, so a corrupted compressed file cannot pass unnoticed.
     */
    void expectEnd(String what) {
        int next;
        try {
            next = in.read();
        } catch (EOFException e) {
            throw truncated("the gzip trailer", e);
        } catch (IOException e) {
            throw corrupt(e);
        }
        if (next >= 0) {
            throw DataFileException.atOffset(file, position, "unexpected data after " + what);
        }
    }

    private DataFileException truncated(String what, Throwable cause) {
        String kind = gzip ? "the decompressed data ends" : "the file ends";
        return DataFileException.atOffset(file, position, "truncated: " + kind + " before " + what, cause);
    }

    private DataFileException corrupt(IOException e) {
        String kind = gzip ? "corrupt gzip data" : "read error";
        return DataFileException.atOffset(file, position, kind + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        closeQuietly(in);
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing was written; a failure to release a read handle cannot lose data.
        }
    }
}
