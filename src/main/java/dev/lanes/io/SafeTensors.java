package dev.lanes.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format
 * for float32 tensors, so numpy and PyTorch users can open Lanes weights directly:
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, optional string metadata under {@code "__metadata__"}, then the raw little-endian data.
 *
 * <p>Reading trusts nothing in the file: every offset and size is checked against the file's real
 * length before anything is allocated, so a corrupt or lying header gets a
 * {@link ModelFileException} naming the file and byte offset, never an OutOfMemoryError.
 */
public final class SafeTensors {
    /** Larger headers are refused: Lanes models have a few tensors and a short JSON description. */
    static final long MAX_HEADER_BYTES = 64L << 20;

    /** One named tensor: its shape and its values in row-major order. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values but " + data.length + " were given");
            }
        }
    }

    /**
     * The tensors (in file order) and the metadata strings of one file, and the file offset where
     * each tensor's data begins, so that a reader refusing a value can point at its bytes.
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, Long> dataOffsets) {
        /** Contents not read from a file: no offsets. */
        public Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
            this(tensors, metadata, Map.of());
        }

        /** The file offset of value {@code index} of tensor {@code name}, or -1 when not known. */
        public long byteOffset(String name, int index) {
            Long start = dataOffsets.get(name);
            return start == null ? -1 : start + (long) index * Float.BYTES;
        }
    }

    private SafeTensors() {}

    /** Writes {@code tensors} and {@code metadata} to {@code file} atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = e.getValue();
            long bytes = (long) t.data().length * Float.BYTES;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape());
            info.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(offset)).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            data.asFloatBuffer().put(t.data());
            data.position(data.position() + t.data().length * Float.BYTES);
        }
        data.flip();
        AtomicFiles.write(file, head, data);
    }

    /** Reads every tensor of {@code file}; only F32 tensors are accepted. */
    public static Contents read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFileException(file, size, "file is " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer lenBuf = readFully(ch, file, 0, 8);
            long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ModelFileException(file, 0, "header length " + headerLen + " does not fit a file of "
                        + size + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer headerBytes = readFully(ch, file, 8, (int) headerLen);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
            } catch (CharacterCodingException e) {
                // The decoder stops at the bad bytes: the buffer's position says where.
                throw new ModelFileException(file, 8 + headerBytes.position(), "the JSON header is not UTF-8 text");
            }
            Object parsed;
            try {
                parsed = Json.parse(json);
            } catch (Json.ParseException e) {
                // The parser counts characters; the file position counts bytes (a name such as "revenu_€" differs).
                int chars = Math.min(e.offset(), json.length());
                long bytes = json.substring(0, chars).getBytes(StandardCharsets.UTF_8).length;
                throw new ModelFileException(file, 8 + bytes, "corrupt JSON header: " + e.reason());
            }
            if (!(parsed instanceof Map<?, ?> header)) {
                throw new ModelFileException(file, 8, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Object[]> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> m)) {
                        throw new ModelFileException(file, 8, "__metadata__ is not an object");
                    }
                    for (Map.Entry<?, ?> me : m.entrySet()) {
                        if (!(me.getValue() instanceof String v)) {
                            throw new ModelFileException(file, 8, "metadata value for '" + me.getKey() + "' is not a string");
                        }
                        metadata.put((String) me.getKey(), v);
                    }
                    continue;
                }
                entries.add(new Object[] {name, describe(file, name, e.getValue(), dataLen)});
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (Object[] en : entries) {
                String name = (String) en[0];
                long[] d = (long[]) en[1];
                int[] shape = new int[d.length - 2];
                for (int i = 0; i < shape.length; i++) shape[i] = (int) d[i + 2];
                int count = (int) ((d[1] - d[0]) / Float.BYTES);
                ByteBuffer bytes = readFully(ch, file, dataStart + d[0], count * Float.BYTES);
                float[] values = new float[count];
                bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                tensors.put(name, new Tensor(shape, values));
                offsets.put(name, dataStart + d[0]);
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(offsets));
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, -1, "no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Validates one header entry; returns {begin, end, dims...} with offsets relative to the data. */
    private static long[] describe(Path file, String name, Object value, long dataLen) {
        if (!(value instanceof Map<?, ?> info)) {
            throw new ModelFileException(file, 8, "entry '" + name + "' is not an object");
        }
        if (info.get("dtype") == null) {
            throw new ModelFileException(file, 8, "tensor '" + name + "' lacks a dtype");
        }
        if (!"F32".equals(info.get("dtype"))) {
            throw new ModelFileException(file, 8, "tensor '" + name + "' has dtype " + info.get("dtype")
                    + "; Lanes reads F32 only");
        }
        if (!(info.get("shape") instanceof List<?> shape) || !(info.get("data_offsets") instanceof List<?> offs)
                || offs.size() != 2) {
            throw new ModelFileException(file, 8, "tensor '" + name + "' lacks a shape or a pair of data_offsets");
        }
        long[] out = new long[2 + shape.size()];
        long count = 1;
        for (int i = 0; i < shape.size(); i++) {
            if (!(shape.get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
                throw new ModelFileException(file, 8, "tensor '" + name + "' has a bad dimension " + shape.get(i));
            }
            out[2 + i] = dim;
            count = Math.multiplyHigh(count, dim) != 0 ? Long.MAX_VALUE : count * dim;
        }
        if (!(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)
                || begin < 0 || end < begin || end > dataLen) {
            throw new ModelFileException(file, 8, "tensor '" + name + "' has data_offsets " + offs
                    + " outside the " + dataLen + " data bytes (truncated file?)");
        }
        if (count > Integer.MAX_VALUE / Float.BYTES || end - begin != count * Float.BYTES) {
            throw new ModelFileException(file, 8, "tensor '" + name + "' has shape " + shape + " but "
                    + (end - begin) + " data bytes");
        }
        out[0] = begin;
        out[1] = end;
        return out;
    }

    private static ByteBuffer readFully(FileChannel ch, Path file, long pos, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new ModelFileException(file, pos + buf.position(), "unexpected end of file");
            }
        }
        return buf.flip();
    }
}
