package dev.lanes.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the complete new one,
 * never a half-written one: write a temporary file beside the target, force it to disk, rename it
 * over the target in one atomic step, then force the directory so the rename itself survives.
 *
 * <p>The rename hands the temporary file's permissions to the target, so the temporary file gets
 * the ones the target should have: an existing target's own, or for a new one those of any newly
 * created file (0666 less the umask), as if it had been written in place.
 */
public final class AtomicFiles {
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final SecureRandom NAMES = new SecureRandom();

    private AtomicFiles() {}

    /** Writes {@code buffers} in order to {@code target}, atomically. */
    public static void write(Path target, ByteBuffer... buffers) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null) Files.createDirectories(dir);
            Set<PosixFilePermission> keep = permissions(abs);
            String prefix = "." + abs.getFileName() + ".";
            FileChannel created = null;
            for (int attempt = 0; created == null; attempt++) {
                Path candidate = abs.resolveSibling(prefix + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
                try {
                    // Not Files.createTempFile: it makes the file owner-only (0600), which the rename
                    // then gave every saved model, and turned an overwritten 0644 file 0600. Created
                    // without attributes, a file gets 0666 less the umask, which only the OS knows.
                    // Created with the target's permissions, the umask can only narrow them, so the
                    // data is never more exposed than in the target; setting them exactly follows.
                    FileAttribute<?>[] attrs = keep == null ? new FileAttribute<?>[0]
                            : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(keep)};
                    created = FileChannel.open(candidate, CREATE, attrs);
                    tmp = candidate;
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 100) throw e;
                }
            }
            // Written through the channel that created the file: a read-only target's mode (0444)
            // would refuse a second open for writing.
            try (FileChannel ch = created) {
                if (keep != null) Files.setPosixFilePermissions(tmp, keep);
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the failure that brought us here is the one to report
                }
            }
        }
    }

    /**
     * What went wrong, in words: the file system exceptions' own messages are often just the path
     * ("cannot write /ro/m.lanes: /ro/.m.lanes.x1.tmp" said nothing about permissions).
     */
    public static String reason(IOException e) {
        String what = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or folder"
                : e instanceof FileAlreadyExistsException ? "it already exists"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : String.valueOf(e.getMessage());
        return e instanceof FileSystemException f && f.getFile() != null ? what + " (" + f.getFile() + ")" : what;
    }

    /**
     * The POSIX permissions of an existing {@code file}, or null for a new file or a file system
     * without them (there the platform's defaults apply, as to any new file).
     */
    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void forceDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open directories; the rename is still atomic there.
        }
    }
}
