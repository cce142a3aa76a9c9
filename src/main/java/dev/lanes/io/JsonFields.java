package dev.lanes.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checked, typed reads from one JSON object of a file's header. A corrupt or hand-edited file can
 * lack any field or hold the wrong kind of value in it; an unchecked {@code (List<?>) map.get(key)}
 * then fails as a NullPointerException or ClassCastException whose JVM message means nothing to the
 * user. Every read here instead throws a {@link ModelFileException} naming the file, what was being
 * read and the field by its path: {@code the model description is invalid: missing "layers"}, or
 * {@code ... "layers[1].units" must be a whole number, got "8"}.
 */
final class JsonFields {
    private final Path file;
    private final String what;
    private final String path;
    private final Map<?, ?> map;

    private JsonFields(Path file, String what, String path, Map<?, ?> map) {
        this.file = file;
        this.what = what;
        this.path = path;
        this.map = map;
    }

    /**
     * Parses {@code json}, the text of the metadata entry {@code what} (e.g. "the model description"),
     * which must be a JSON object.
     */
    static JsonFields parse(Path file, String what, String json) {
        Object value;
        try {
            value = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new ModelFileException(file, -1, what + " is not valid JSON: " + e.getMessage());
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new ModelFileException(file, -1, what + " is not a JSON object but " + show(value));
        }
        return new JsonFields(file, what, "", m);
    }

    /** The raw value of {@code key}, or null when it is absent or JSON null. */
    Object get(String key) {
        return map.get(key);
    }

    /** The value of {@code key}, which must be present and of {@code type}. */
    <T> T required(String key, Class<T> type) {
        if (!map.containsKey(key)) throw invalid("missing \"" + path + key + "\"");
        return typed(key, type);
    }

    /** The value of {@code key} when present and not JSON null, which must then be of {@code type}; else null. */
    <T> T optional(String key, Class<T> type) {
        return map.get(key) == null ? null : typed(key, type);
    }

    String string(String key) {
        return required(key, String.class);
    }

    List<?> list(String key) {
        return required(key, List.class);
    }

    /** The object under {@code key}, for reading its own fields. */
    JsonFields object(String key) {
        return new JsonFields(file, what, path + key + ".", required(key, Map.class));
    }

    /** Element {@code index} of the array {@code list} read from {@code key}, which must be an object. */
    JsonFields element(String key, List<?> list, int index) {
        String at = path + key + "[" + index + "]";
        if (!(list.get(index) instanceof Map<?, ?> m)) {
            throw invalid("\"" + at + "\" must be an object, got " + show(list.get(index)));
        }
        return new JsonFields(file, what, at + ".", m);
    }

    /** A whole number in [{@code min}, {@code max}]. */
    long wholeNumber(String key, long min, long max) {
        long v = required(key, Long.class);
        if (v < min || v > max) throw invalid(mustBe(path + key, "a whole number " + range(min, max, v), map.get(key)));
        return v;
    }

    /** A whole number in [{@code min}, Integer.MAX_VALUE], as counts and sizes are. */
    int count(String key, int min) {
        return (int) wholeNumber(key, min, Integer.MAX_VALUE);
    }

    float number(String key) {
        return required(key, Number.class).floatValue();
    }

    /** A number, or NaN for JSON null: {@link Json#write} stores NaN and the infinities as null. */
    double numberOrNaN(String key) {
        Number n = optional(key, Number.class);
        return n == null ? Double.NaN : n.doubleValue();
    }

    /** The entries of the object at {@code key}, each value of {@code type} (JSON null allowed when {@code nulls}). */
    <T> Map<String, T> entries(String key, Class<T> type, boolean nulls) {
        JsonFields o = object(key);
        for (Map.Entry<?, ?> e : o.map.entrySet()) {
            if (e.getValue() == null ? !nulls : !type.isInstance(e.getValue())) {
                throw invalid(mustBe(o.path + e.getKey(), kind(type), e.getValue()));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, T> m = (Map<String, T>) o.map;
        return m;
    }

    /** A failure of this object's content, as the other messages are worded. */
    ModelFileException invalid(String detail) {
        return new ModelFileException(file, -1, what + " is invalid: " + detail);
    }

    private <T> T typed(String key, Class<T> type) {
        Object v = map.get(key);
        if (!type.isInstance(v)) throw invalid(mustBe(path + key, kind(type), v));
        return type.cast(v);
    }

    private String mustBe(String field, String kind, Object got) {
        return "\"" + field + "\" must be " + kind + ", got " + show(got);
    }

    /** The bound {@code v} broke: "{@code >= min}" below it, the whole range above (an int count's too). */
    private static String range(long min, long max, long v) {
        boolean open = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        return v < min && open || max == Long.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
    }

    private static String kind(Class<?> type) {
        if (type == String.class) return "a string";
        if (type == Long.class) return "a whole number";
        if (type == Number.class) return "a number";
        if (type == Boolean.class) return "true or false";
        if (type == List.class) return "an array";
        if (type == Map.class) return "an object";
        return "a " + type.getSimpleName();
    }

    /** The offending value as JSON, shortened: the header may hold megabytes. */
    private static String show(Object value) {
        String s = Json.write(value);
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
