package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The permissions an atomic write leaves, and what a failed one leaves behind. */
class AtomicFilesTest {
    @TempDir Path dir;

    @BeforeEach
    void posix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNewFileGetsThePermissionsOfAnyNewFile() throws IOException {
        // Files.createFile without attributes: 0666 less this process's umask, whatever it is.
        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference")));
        assumeTrue(!usual.equals(PosixFilePermissions.fromString("rw-------")), "umask 077 makes every new file 0600");
        Path f = dir.resolve("new.lanes");
        AtomicFiles.write(f, bytes("model"));
        assertEquals(PosixFilePermissions.toString(usual), PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void overwritingAFileKeepsItsPermissions() throws IOException {
        // Wider than the umask allows (group-writable), narrower, read-only, executable: each kept.
        for (String mode : List.of("rw-r--r--", "rw-rw-r--", "rw-r-----", "rw-------", "r--r--r--", "rwxr-x---")) {
            Path f = dir.resolve("m.lanes");
            Files.deleteIfExists(f);
            Files.writeString(f, "old");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            AtomicFiles.write(f, bytes("new " + mode));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            assertArrayEquals(("new " + mode).getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of("m.lanes"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() throws IOException {
        // A target that is a non-empty directory: the rename fails after the data was written.
        Path target = dir.resolve("taken");
        Files.createDirectories(target.resolve("inside"));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, bytes("model")));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("taken"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailedWriteSaysWhyNotOnlyWhere() {
        assertEquals("permission denied (/ro/.m.lanes.x.tmp)", AtomicFiles.reason(new java.nio.file.AccessDeniedException("/ro/.m.lanes.x.tmp")));
        assertEquals("no such file or folder (/gone/m.lanes)", AtomicFiles.reason(new java.nio.file.NoSuchFileException("/gone/m.lanes")));
        assertEquals("No space left on device (/full/m.lanes)",
                AtomicFiles.reason(new java.nio.file.FileSystemException("/full/m.lanes", null, "No space left on device")));
        assertEquals("disk on fire", AtomicFiles.reason(new IOException("disk on fire")));
        // A write that fails for a reason names it: a non-empty folder in the way of the rename.
        Path target = dir.resolve("taken");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
            Files.createDirectories(target.resolve("inside"));
            AtomicFiles.write(target, bytes("model"));
        });
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        assertFalse(e.getMessage().endsWith(": " + target), e.getMessage());
    }
}
