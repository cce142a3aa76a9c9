package dev.lanes.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Finds and overwrites single tensor values in a safetensors file, as a damaged disk or a hex editor would. */
final class TensorBytes {
    private TensorBytes() {}

    /** The file offset of value {@code index} of tensor {@code name}, worked out from the header alone. */
    static int offsetOf(Path file, String name, int index) throws IOException {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Map<?, ?> header = (Map<?, ?>) Json.parse(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        long begin = (Long) ((List<?>) ((Map<?, ?>) header.get(name)).get("data_offsets")).get(0);
        return (int) (8 + n + begin + (long) Float.BYTES * index);
    }

    /** Overwrites the little-endian float at {@code offset}. */
    static void poke(Path file, int offset, float value) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(offset, value);
        Files.write(file, b);
    }
}
