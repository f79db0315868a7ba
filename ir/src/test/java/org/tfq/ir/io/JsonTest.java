package org.tfq.ir.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesInTheCliStyle() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", 2.5);
        m.put("c", "q\"\\\n\u0001");
        m.put("d", List.of());
        m.put("e", Map.of());
        m.put("f", Arrays.asList(true, null, Double.NaN));
        assertEquals("{\n  \"a\": 1,\n  \"b\": 2.5,\n  \"c\": \"q\\\"\\\\\\n\\u0001\",\n  \"d\": [],\n  \"e\": {},\n"
                + "  \"f\": [\n    true,\n    null,\n    null\n  ]\n}\n", Json.write(m));
    }

    private record Epoch(int epoch, double validationLoss, List<Integer> bestOf) {}

    @Test
    void writesARecordAsAnObjectWithSnakeCaseKeys() {
        assertEquals("{\n  \"epoch\": 3,\n  \"validation_loss\": 0.5,\n  \"best_of\": [1, 2]\n}\n", Json.write(new Epoch(3, 0.5, List.of(1, 2))));
    }

    @Test
    void readsBackWhatItWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "tab\there \u00e9 \"q\"");
        m.put("n", -12.5e-3);
        m.put("l", new ArrayList<>(Arrays.asList("x", null, false)));
        m.put("o", new LinkedHashMap<>(Map.of("k", 3.0)));
        assertEquals(m, Json.read(Json.write(m)));
        assertEquals("\u00e9/", Json.read("\"\\u00e9\\/\""));
        assertEquals(List.of(1.0, 0.0, 100.0), Json.read(" [1, 0, 1e2] "));
    }

    @Test
    void notJson() {
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "01", "tru", "{\"a\":1} x", "\"\\x\"", "'a'", "{a:1}"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.read(bad), bad);
        }
        assertEquals("expected , or } at line 2, column 3",
                assertThrows(IllegalArgumentException.class, () -> Json.read("{\"a\": 1\n  \"b\": 2}")).getMessage());
    }
}
