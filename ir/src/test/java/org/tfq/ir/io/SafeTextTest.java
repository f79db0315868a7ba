package org.tfq.ir.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void printableKeepsEverythingOnOneLine() {
        assertEquals("a_b_c_d", SafeText.printable("a\nb\rc\u00e9d"));
        assertEquals("/x/../y z", SafeText.printable("/x/../y z"));
    }

    @Test
    void verilogCommentCannotOpenOrCloseABlockComment() {
        assertEquals("_/ /_ x", SafeText.verilogComment("*/ /* x"));
    }

    @Test
    void verilogStringCannotEndTheStringOrReadArguments() {
        assertEquals("_); $finish; __ __d _define", SafeText.verilogString("\"); $finish; \\\\ %%d `define"));
    }

    @Test
    void markdownCodeCannotEndTheSpanOrTheCell() {
        assertEquals("a'b/c_", SafeText.markdownCode("a`b|c\n"));
    }
}
