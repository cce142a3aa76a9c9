package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, SafeTensors.Tensor> sample() {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("dense_1.kernel", new SafeTensors.Tensor(new int[] {3, 2}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        t.put("dense_1.bias", new SafeTensors.Tensor(new int[] {2}, new float[] {0.25f, -7}));
        t.put("empty", new SafeTensors.Tensor(new int[] {0, 4}, new float[0]));
        return t;
    }

    @Test
    void roundTripKeepsEveryBitNameOrderAndMetadata() {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of("lanes.model", "{\"layers\":[]}"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(sample().keySet().stream().toList(), c.tensors().keySet().stream().toList());
        for (var e : sample().entrySet()) {
            assertArrayEquals(e.getValue().shape(), c.tensors().get(e.getKey()).shape());
            float[] want = e.getValue().data(), got = c.tensors().get(e.getKey()).data();
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]));
            }
        }
        assertEquals("{\"layers\":[]}", c.metadata().get("lanes.model"));
    }

    @Test
    void headerFollowsTheSpecificationLayout() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "data should start 8-byte aligned");
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8).strip();
        Map<?, ?> h = (Map<?, ?>) Json.parse(header);
        Map<?, ?> kernel = (Map<?, ?>) h.get("dense_1.kernel");
        assertEquals("F32", kernel.get("dtype"));
        assertEquals(java.util.List.of(0L, 24L), kernel.get("data_offsets"));
        assertEquals(8 + n + 32, all.length);
        float first = ByteBuffer.wrap(all, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(1f, first);
    }

    @Test
    void writeLeavesNoTemporaryFilesAndReplacesTheOldFile() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of("v", "1"));
        SafeTensors.write(f, sample(), Map.of("v", "2"));
        assertEquals("2", SafeTensors.read(f).metadata().get("v"));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the model file should remain");
        }
    }

    @Test
    void everyTruncationIsRefusedWithFileAndOffset() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of("k", "v"));
        byte[] all = Files.readAllBytes(f);
        for (int len = 0; len < all.length; len++) {
            Path t = dir.resolve("t" + len);
            Files.write(t, Arrays.copyOf(all, len));
            ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(t), "length " + len);
            assertTrue(e.getMessage().contains(t.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("byte"), e.getMessage());
        }
    }

    @Test
    void lyingHeaderLengthDoesNotAllocate() throws IOException {
        Path f = dir.resolve("liar");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).putLong(0);
        Files.write(f, b.array());
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertEquals(0, e.offset());
    }

    @Test
    void lyingShapeOrOffsetsAreRefused() throws IOException {
        for (String header : new String[] {
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4000000000]}}",
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}",
                "{\"w\":[1,2]}",
                "[1,2,3]",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}",
        }) {
            Path f = dir.resolve("bad");
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(h.length).put(h).putFloat(1f);
            Files.write(f, b.array());
            ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f), header);
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
    }

    @Test
    void aMissingDtypeIsNamed() throws IOException {
        Path f = dir.resolve("bad");
        byte[] h = "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(f, ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).putFloat(1f).array());
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertEquals(f + " (byte 8): tensor 'w' lacks a dtype", e.getMessage());
    }

    @Test
    void aCorruptHeaderIsPlacedByByteEvenAfterNonAsciiNames() throws IOException {
        Path f = dir.resolve("fr");
        String json = "{\"__metadata__\":{\"features\":\"âge,revenu_€,€€\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int colon = new String(h, StandardCharsets.ISO_8859_1).indexOf("\"w\":") + 3; // in bytes
        h[colon] = 'X';
        Files.write(f, ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).putFloat(1f).array());
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertEquals(8 + colon, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt JSON header: expected ':'") && !e.getMessage().contains("character"),
                e.getMessage());

        // Bytes that are not UTF-8 are refused where they are, not read back as U+FFFD.
        byte[] g = json.getBytes(StandardCharsets.UTF_8);
        int bad = new String(g, StandardCharsets.ISO_8859_1).indexOf("revenu") + 2;
        g[bad] = (byte) 0xFF;
        Files.write(f, ByteBuffer.allocate(8 + g.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(g.length).put(g).putFloat(1f).array());
        ModelFileException u = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertEquals(8 + bad, u.offset(), u.getMessage());
        assertTrue(u.getMessage().contains("not UTF-8"), u.getMessage());
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of("k", "v"));
        byte[] good = Files.readAllBytes(f);
        Random rnd = new Random(7);
        Path t = dir.resolve("fuzz");
        for (int i = 0; i < 2000; i++) {
            byte[] b = good.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int j = 0; j < flips; j++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            Files.write(t, b);
            try {
                SafeTensors.read(t);
            } catch (ModelFileException expected) {
                // the documented failure
            }
        }
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.safetensors");
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("nope.safetensors"));
    }
}
