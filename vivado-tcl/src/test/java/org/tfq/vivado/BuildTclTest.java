package org.tfq.vivado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the generated build.tcl and constraints.xdc under plain tclsh, with every Vivado command
 * replaced by a stub that records its call (src/test/resources/org/tfq/vivado/vivado_stubs.tcl):
 * the files must parse, run to the end, and call Vivado in the right order with the right
 * arguments; a timing failure must stop the run.
 */
class BuildTclTest {

    static String tclsh;

    @TempDir
    Path tmp;

    @BeforeAll
    static void needTclsh() {
        tclsh = Proc.require("tclsh");
    }

    /** A run's outcome: the process and the stub calls, one list of words per call. */
    record Run(Proc proc, List<String> calls) {
        List<String> names() {
            return calls.stream().map(c -> c.split(" ", 2)[0]).toList();
        }

        String call(String name) {
            return calls.stream().filter(c -> c.equals(name) || c.startsWith(name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no call of " + name + " in\n" + String.join("\n", calls)));
        }
    }

    private Path generate(VivadoDesign d, VivadoOptions o) {
        return Fixtures.writeOutdir(tmp.resolve("out"), d, VivadoFlow.files(d, o)).toAbsolutePath();
    }

    /** Sources {@code script} under the stubs from an unrelated directory, with WNS {@code wns}. */
    private Run run(Path script, String wns) throws IOException {
        return run(script, wns, "0.050");
    }

    /** With worst hold slack {@code whs}, and {@code tclargs} as after vivado -tclargs. */
    private Run run(Path script, String wns, String whs, String... tclargs) throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path log = tmp.resolve("calls-" + System.nanoTime() + ".txt");
        List<String> cmd = new java.util.ArrayList<>(List.of(tclsh, Fixtures.resource("vivado_stubs.tcl").toString(), script.toString()));
        cmd.addAll(List.of(tclargs));
        Proc p = Proc.run(elsewhere, Map.of("TFQ_STUB_LOG", log.toString(), "TFQ_STUB_WNS", wns, "TFQ_STUB_WHS", whs),
                cmd.toArray(String[]::new));
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Run(p, calls);
    }

    private static String real(Path p) throws IOException {
        return p.toRealPath().toString();
    }

    @Test
    void runsTheWholeFlowInOrder() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "0.512");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertEquals(List.of(
                "read_verilog", "read_verilog", "read_mem", "read_mem", "read_xdc", "set_msg_config",
                "synth_design", "pwd", "write_checkpoint",
                "opt_design", "place_design", "phys_opt_design", "route_design", "write_checkpoint",
                "report_utilization", "report_utilization", "report_timing_summary", "report_route_status", "report_drc", "report_power",
                "get_timing_paths", "get_property", "get_timing_paths", "get_property",
                "get_drc_checks", "set_property", "get_drc_checks", "set_property",
                "write_bitstream", "END"), r.names());
        String o = real(out);
        assertEquals("synth_design -top tfq_top -part xc7s15ftgb196-1", r.call("synth_design"));
        // $readmemh names resolve against the current directory: synthesis must run in OUTDIR
        assertEquals("pwd " + o, r.call("pwd"));
        assertEquals(List.of("read_verilog " + o + "/rtl/tfq_top.v", "read_verilog " + o + "/rtl/tfq_layers.v",
                "read_mem " + o + "/rtl/weights_l0.mem", "read_mem " + o + "/rtl/weights_l1.mem",
                "read_xdc " + o + "/vivado/constraints.xdc"), r.calls().subList(0, 5));
        assertTrue(r.calls().contains("report_utilization -file " + o + "/reports/utilization.rpt"), r.calls().toString());
        assertTrue(r.calls().contains("report_utilization -hierarchical -file " + o + "/reports/utilization_hier.rpt"));
        assertTrue(r.calls().contains("report_timing_summary -delay_type min_max -max_paths 10 -file " + o + "/reports/timing_summary.rpt"));
        assertTrue(r.calls().contains("report_drc -file " + o + "/reports/drc.rpt"), r.calls().toString());
        assertTrue(r.calls().contains("report_route_status -file " + o + "/reports/route_status.rpt"), r.calls().toString());
        // a $readmemh file Vivado cannot open is an error before synthesis, not a critical warning after it
        assertEquals("set_msg_config -id {Synth 8-4445} -new_severity ERROR", r.call("set_msg_config"));
        assertEquals(r.names().indexOf("set_msg_config") + 1, r.names().indexOf("synth_design"));
        assertEquals("report_power -file " + o + "/reports/power.rpt", r.call("report_power"));
        assertEquals("write_checkpoint -force " + o + "/build/post_route.dcp", r.calls().get(13));
        assertEquals("write_bitstream -force " + o + "/build/tfq_top.bit", r.call("write_bitstream"));
        assertEquals("get_property SLACK tfq_stub_path", r.call("get_property"));
        assertTrue(Files.isDirectory(out.resolve("reports")) && Files.isDirectory(out.resolve("build")));
    }

    @Test
    void timingViolationStopsBeforeTheBitstream() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "-0.318");
        assertEquals(2, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("timing not met: WNS -0.318 ns at a 10.000 ns clock"), r.proc().err());
        // the reports are there to look at, the bitstream is not written
        assertTrue(r.names().contains("report_timing_summary") && r.names().contains("report_power"));
        assertFalse(r.names().contains("write_bitstream"), r.calls().toString());
        assertEquals("exit 2", r.calls().get(r.calls().size() - 1));
    }

    @Test
    void timingViolationAllowedWritesTheBitstream() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults().withAllowTimingViolation(true));
        Run r = run(out.resolve("vivado/build.tcl"), "-0.318");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("timing not met"), r.proc().err());
        assertTrue(r.names().contains("write_bitstream"));
        assertEquals("END", r.calls().get(r.calls().size() - 1));
    }

    @Test
    void noConstrainedPathIsATimingFailure() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "none", "none");
        assertEquals(2, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("no constrained timing path: is clk the clock input of tfq_top?"), r.proc().err());
        assertFalse(r.names().contains("get_property"));
        assertFalse(r.names().contains("write_bitstream"));
    }

    @Test
    void unconstrainedPathIsATimingFailure() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "inf");
        assertEquals(2, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("no constrained timing path"), r.proc().err());
        assertFalse(r.names().contains("write_bitstream"));
    }

    @Test
    void zeroSlackMeetsTiming() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "0.000");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertTrue(r.names().contains("write_bitstream"));
    }

    /** No tfq command writes sim/activity.saif, so the script has no branch that reads one: a stale or foreign file is not picked up. */
    @Test
    void powerIsVectorlessAndSaysSo() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Fixtures.write(out.resolve("sim/activity.saif"), "(SAIFILE)\n");
        Run r = run(out.resolve("vivado/build.tcl"), "1.0");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertFalse(r.names().contains("read_saif"), r.calls().toString());
        assertTrue(Files.readString(out.resolve("vivado/build.tcl")).contains("# Vectorless: Vivado's default toggle rates."));
    }

    @Test
    void noSaifNoReadSaif() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "1.0");
        assertFalse(r.names().contains("read_saif"));
    }

    @Test
    void userXdcIsReadAfterTheClockAndKeepsTheIoChecks() throws IOException {
        Path xdc = tmp.resolve("board.xdc");
        Files.writeString(xdc, "set_property PACKAGE_PIN H4 [get_ports clk]\n");
        Path out = generate(Fixtures.design(), VivadoOptions.defaults().withUserXdc(xdc));
        Run r = run(out.resolve("vivado/build.tcl"), "1.0");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        String o = real(out);
        assertEquals(List.of("read_xdc " + o + "/vivado/constraints.xdc", "read_xdc " + o + "/vivado/user.xdc"),
                r.calls().stream().filter(c -> c.startsWith("read_xdc")).toList());
        // with the board's pins given, write_bitstream's I/O checks stay errors
        assertFalse(r.names().contains("set_property"), r.calls().toString());
    }

    @Test
    void otherPartSystemVerilogAndTop() throws IOException {
        VivadoDesign d = new VivadoDesign("forecaster", "sys_clk", List.of("rtl/pkg.sv", "rtl/forecaster.v"), List.of(), 0);
        Path out = generate(d, VivadoOptions.defaults().withPart("XC7A35TCSG324-1"));
        Run r = run(out.resolve("vivado/build.tcl"), "2.0");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertEquals("synth_design -top forecaster -part xc7a35tcsg324-1", r.call("synth_design"));
        String o = real(out);
        assertTrue(r.calls().contains("read_verilog " + o + "/rtl/forecaster.v"));
        assertTrue(r.calls().contains("read_verilog -sv " + o + "/rtl/pkg.sv"));
        assertFalse(r.names().contains("read_mem"));
        assertEquals("write_bitstream -force " + o + "/build/forecaster.bit", r.call("write_bitstream"));
    }

    @Test
    void missingInputStopsBeforeSynthesis() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Files.delete(out.resolve("rtl/weights_l1.mem"));
        Run r = run(out.resolve("vivado/build.tcl"), "1.0");
        assertEquals(1, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("rtl/weights_l1.mem is missing"), r.proc().err());
        assertEquals(List.of("exit 1"), r.calls());
    }

    @Test
    void constraintsXdcIsTclThatConstrainsTheClockPort() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults().withClockMhz(125));
        Run r = run(out.resolve("vivado/constraints.xdc"), "0");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        assertEquals(List.of("get_ports clk", "create_clock -name tfq_clk -period 8.000 -waveform {0.000 4.000} clk",
                "current_design", "set_property CFGBVS VCCO tfq_stub_design", "current_design",
                "set_property CONFIG_VOLTAGE 3.3 tfq_stub_design", "END"), r.calls());
    }

    @Test
    void hostileFolderNamesStayData() throws IOException {
        // Tcl substitutes [...] and $ in words it parses, never in a variable's value: the folder is only ever a value
        for (String name : List.of("o[exec touch pwned-bracket]", "o$env(HOME)", "o{x", "a b", "o\"q", "o;exec touch pwned-semi")) {
            VivadoDesign d = Fixtures.design();
            Path out = Fixtures.writeOutdir(tmp.resolve("hostile").resolve(name), d, VivadoFlow.files(d, VivadoOptions.defaults()));
            Run r = run(out.resolve("vivado/build.tcl"), "0.5");
            assertEquals(0, r.proc().exit(), name + ": " + r.proc().describe());
            assertTrue(r.names().contains("write_bitstream"), name + ": " + r.calls());
            assertTrue(Files.isDirectory(out.resolve("build")), name);
        }
        try (var s = Files.walk(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("pwned")), "a folder name ran as a command");
        }
    }

    /** Hold is gated like setup: the timing summary's WHS counts, and a design that fails hold fails on the board. */
    @Test
    void holdViolationStopsBeforeTheBitstream() throws IOException {
        Path out = generate(Fixtures.design(), VivadoOptions.defaults());
        Run r = run(out.resolve("vivado/build.tcl"), "0.800", "-0.021");
        assertEquals(2, r.proc().exit(), r.proc().describe());
        assertTrue(r.proc().err().contains("hold timing not met: WHS -0.021 ns"), r.proc().err());
        assertTrue(r.calls().contains("get_timing_paths -delay_type min -max_paths 1 -nworst 1"), r.calls().toString());
        assertFalse(r.names().contains("write_bitstream"));
        Run allowed = run(generate(Fixtures.design(), VivadoOptions.defaults().withAllowTimingViolation(true)).resolve("vivado/build.tcl"),
                "0.800", "-0.021");
        assertEquals(0, allowed.proc().exit(), allowed.proc().describe());
        assertTrue(allowed.names().contains("write_bitstream"));
    }

    @Test
    void outOfContextRunsTheCoreAloneWithoutBitstream() throws IOException {
        Path xdc = tmp.resolve("board.xdc");
        Files.writeString(xdc, "set_property PACKAGE_PIN H4 [get_ports clk]\n");
        Path out = generate(Fixtures.design(), VivadoOptions.defaults().withUserXdc(xdc));
        Run r = run(out.resolve("vivado/build.tcl"), "0.5", "0.05", "-ooc");
        assertEquals(0, r.proc().exit(), r.proc().describe());
        String o = real(out);
        assertEquals("synth_design -top tfq_top -part xc7s15ftgb196-1 -mode out_of_context", r.call("synth_design"));
        assertEquals(List.of("read_xdc " + o + "/vivado/constraints.xdc"), r.calls().stream().filter(c -> c.startsWith("read_xdc")).toList());
        assertTrue(r.calls().contains("report_utilization -file " + o + "/reports/ooc/utilization.rpt"), r.calls().toString());
        assertEquals("write_checkpoint -force " + o + "/build/ooc/post_synth.dcp", r.call("write_checkpoint"));
        assertFalse(r.names().contains("write_bitstream"));
        assertEquals("exit 0", r.calls().get(r.calls().size() - 1));
    }
}
