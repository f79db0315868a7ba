package org.tfq.passes.schedule;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of the engine's instruction register and their widths, for a program's widths. */
public final class InstructionRegisters {
    private InstructionRegisters() {}

    /**
     * Register widths by field name, in the RTL's declaration order: the engine generator
     * declares them, the resource model counts their flip-flops.
     *
     * @param aw activation code width
     * @param pyW output-unit code width
     * @param sqW square-root operand width
     * @param sh shift width
     */
    public static Map<String, Integer> widths(Program.Widths w, int aw, int pyW, int sqW, int sh) {
        Map<String, Integer> r = new LinkedHashMap<>();
        int cw = w.counter(), a = w.address();
        r.put("kind", 3);
        for (String n : List.of("n0", "n1", "n2", "n3", "kcount", "extra")) r.put(n, cw);
        for (String s : List.of("a", "b", "w", "p", "o")) {
            r.put(s + "_base", a);
            for (int l = 0; l < 4; l++) r.put(s + "_s" + l, a);
        }
        r.put("o_lane", a);
        r.put("p_lane", a);
        r.put("lanes_full", cw);
        r.put("lanes_last", cw);
        for (String f : List.of("from_bbuf", "to_out", "use_table", "post_const", "bb_write", "bb_swap")) r.put(f, 1);
        r.put("post_sh", sh);
        r.put("za", aw + 1);
        r.put("zb", aw + 1);
        r.put("z", pyW);
        r.put("lo", pyW);
        r.put("hi", pyW);
        r.put("t_base", a);
        r.put("t_mask", a);
        r.put("sm_k", w.softmaxK());
        r.put("sm_ks", 6);
        r.put("ln_n", w.normLength());
        r.put("ln_2p", 7);
        r.put("ln_e", sqW);
        r.put("tail", cw);
        r.put("sm_m0", cw);
        r.put("sm_mp", cw);
        return r;
    }
}
