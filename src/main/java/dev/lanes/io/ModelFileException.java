package dev.lanes.io;

import java.nio.file.Path;

/** A model file that cannot be read: names the file and, where it applies, the byte offset. */
public final class ModelFileException extends RuntimeException {
    private final Path file;
    private final long offset;

    public ModelFileException(Path file, long offset, String message) {
        super(file + (offset >= 0 ? " (byte " + offset + ")" : "") + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    public ModelFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
        this.offset = -1;
    }

    public Path file() { return file; }

    /** Byte offset of the problem, or -1 when it concerns the whole file. */
    public long offset() { return offset; }
}
