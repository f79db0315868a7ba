package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {

    static Map<String, Object> model() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "u0");
        m.put("width", 65536);
        m.put("big", 1234567890123L);
        m.put("flag", true);
        m.put("items", List.of("a", "b"));
        return m;
    }

    @Test
    void rendersNumbersForVerilogWhateverTheLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            String out = new Templates(Templates.BASE).render("fixtures/plain.ftl", model());
            assertEquals("u0 65536 1234567890123 true a,b\n", out);
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void isDeterministic() {
        assertEquals(Templates.standard().render("fixtures/plain.ftl", model()), Templates.standard().render("fixtures/plain.ftl", model()));
    }

    @Test
    void aMissingVariableIsAnError() {
        Map<String, Object> m = model();
        m.remove("width");
        Templates.TemplateRenderException e = assertThrows(Templates.TemplateRenderException.class,
                () -> Templates.standard().render("fixtures/plain.ftl", m));
        assertTrue(e.getMessage().contains("width"), e.getMessage());
    }

    @Test
    void aMissingTemplateIsAnError() {
        assertThrows(RuntimeException.class, () -> Templates.standard().render("fixtures/none.ftl", model()));
    }
}
