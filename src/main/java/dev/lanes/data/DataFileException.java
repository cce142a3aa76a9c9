package dev.lanes.data;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A data file that cannot be read as what it claims to be: wrong magic number, truncated, a header
 * that declares more data than the file holds, a ragged CSV row, a cell that is not a number.
 * The message always names the file and the place: a byte offset for binary files, a 1-based line
 * and column for text files. Unchecked, because a bad file is a user error to report, not a
 * condition a caller can repair.
 */
public final class DataFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final long line;
    private final int column;
    private final boolean missingCell;

    private DataFileException(Path file, long offset, long line, int column, String message, Throwable cause,
                              boolean missingCell) {
        super(message, cause);
        this.file = file;
        this.offset = offset;
        this.line = line;
        this.column = column;
        this.missingCell = missingCell;
    }

    /** A problem at byte {@code offset} of {@code file} (of its decompressed data when gzip). */
    public static DataFileException atOffset(Path file, long offset, String problem) {
        return atOffset(file, offset, problem, null);
    }

    static DataFileException atOffset(Path file, long offset, String problem, Throwable cause) {
        return new DataFileException(file, offset, -1, -1, file + ": " + problem + " (at byte offset " + offset + ")", cause,
                false);
    }

    /** A problem at 1-based {@code line} and {@code column} (column 0: the line as a whole). */
    public static DataFileException atLine(Path file, long line, int column, String problem) {
        return atLine(file, line, column, problem, false);
    }

    /**
     * An empty feature cell the reader was not asked to fill: {@link #missingCell()} is true, so a
     * caller that knows why no fill exists (predict, for a column that had no gaps in training) can
     * say so instead of the reader's advice.
     */
    static DataFileException missingCell(Path file, long line, int column, String problem) {
        return atLine(file, line, column, problem, true);
    }

    private static DataFileException atLine(Path file, long line, int column, String problem, boolean missingCell) {
        String where = column > 0 ? "line " + line + ", column " + column : "line " + line;
        return new DataFileException(file, -1, line, column, file + ":" + line + ": " + problem + " (" + where + ")", null,
                missingCell);
    }

    /** A problem with the file as a whole (it cannot be opened, or is empty). */
    public static DataFileException ofFile(Path file, String problem, Throwable cause) {
        return new DataFileException(file, -1, -1, -1, file + ": " + problem, cause, false);
    }

    public Path file() { return file; }

    /** The byte offset of the problem, when the file is binary. */
    public OptionalLong offset() { return offset >= 0 ? OptionalLong.of(offset) : OptionalLong.empty(); }

    /** The 1-based line of the problem, when the file is text. */
    public OptionalLong line() { return line >= 0 ? OptionalLong.of(line) : OptionalLong.empty(); }

    /** The 1-based column of the problem, or 0 when it concerns the whole line or is not known. */
    public int column() { return Math.max(column, 0); }

    /** True when the problem is an empty (or missing-token) feature cell and no fill was asked for. */
    public boolean missingCell() { return missingCell; }
}
