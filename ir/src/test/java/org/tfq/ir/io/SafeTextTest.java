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

    @Test
    void terminalRemovesEveryControlButKeepsOtherUnicode() {
        assertEquals("x_  supported: yes_[2J_]0;t__", SafeText.terminal("x\n  supported: yes\u001b[2J\u001b]0;t\u0007\u0000"));
        assertEquals("a_b_c_d_e_f_g", SafeText.terminal("a\rb\tc\u0085d\u009be\u007ff\u2028g"));
        // bidi override and isolate, zero-width space, BOM, an unpaired surrogate
        assertEquals("_abc_ _ _ _ _", SafeText.terminal("\u202eabc\u2066 \u200b \ufeff \ud800 \u061c"));
        assertEquals("\u00e9t\u00e9 \u4e2d\u6587 \ud83d\ude00", SafeText.terminal("\u00e9t\u00e9 \u4e2d\u6587 \ud83d\ude00"));
        String clean = "plain";
        org.junit.jupiter.api.Assertions.assertSame(clean, SafeText.terminal(clean));
    }
}
