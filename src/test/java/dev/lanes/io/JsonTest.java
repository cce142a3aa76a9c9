package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTripsNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\n\\ line\u0001");
        m.put("n", 3L);
        m.put("x", 0.1);
        m.put("f", 1e-7f);
        m.put("list", List.of(1L, true, false));
        m.put("nil", null);
        String s = Json.write(m);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(s);
        assertEquals(m.get("name"), back.get("name"));
        assertEquals(3L, back.get("n"));
        assertEquals(0.1, back.get("x"));
        assertEquals(1e-7f, ((Double) back.get("f")).floatValue());
        assertEquals(List.of(1L, true, false), back.get("list"));
        assertEquals(null, back.get("nil"));
        assertEquals(m.keySet().stream().toList(), back.keySet().stream().toList());
    }

    @Test
    void floatsKeepFullPrecision() {
        float v = 0.1f + 0.2f;
        assertEquals(v, ((Double) Json.parse(Json.write(v))).floatValue());
        assertEquals("null", Json.write(Float.NaN));
    }

    @Test
    void errorsCarryTheOffset() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\": [1, 2,, 3]}"));
        assertEquals(12, e.offset());
        assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1} x"));
        assertThrows(Json.ParseException.class, () -> Json.parse("\"open"));
        assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(1000)));
    }

    @Test
    void everyIntegerALongHoldsReadsAsALong() {
        // 19 digits and more: seeds drawn from a SplittableRandom are this long, and a model's seed
        // read back as a Double was silently dropped.
        assertEquals(Long.MAX_VALUE, Json.parse(Json.write(Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, Json.parse(Json.write(Long.MIN_VALUE)));
        assertEquals(-1234567890123456789L, Json.parse("-1234567890123456789"));
        assertEquals(9.223372036854775808e18, Json.parse("9223372036854775808"));
        assertEquals(12L, Json.parse("12"));
        assertEquals(12.0, Json.parse("12.0"));
        assertThrows(Json.ParseException.class, () -> Json.parse("-"));
        assertThrows(Json.ParseException.class, () -> Json.parse("1-2"));
    }
}
