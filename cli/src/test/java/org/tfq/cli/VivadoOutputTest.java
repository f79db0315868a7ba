package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;

/**
 * The Vivado half of {@code tfq compile} ({@link VivadoOutput}) on real compile output:
 * {@code vivado/build.tcl}, {@code vivado/constraints.xdc} and the {@code Makefile} are written
 * and agree with report.json; every generated Tcl file runs under plain {@code tclsh} with
 * Vivado's commands stubbed; {@code make -n bitstream}, {@code make sim} and {@code make estimate}
 * run from the output folder; and an unknown part, a clock of 0 and a missing XDC are one-line
 * errors. Vivado itself is never run.
 */
class VivadoOutputTest {

    @TempDir
    Path tmp;

    /** The smallest reference model: compiles in about a second. */
    private static final String MODEL = "ref_n12_d16_m1";

    private Cli compile(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("compile", Cli.model(MODEL + ".onnx").toString(), "--bits", "4",
                "--calibration", Cli.model(MODEL + ".calibration.npy").toString(), "-o", out.toString(), "--vectors", "2"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    /** Skips until CompileCommand mixes in VivadoOutput (its owner adds that line). */
    static void requireWired() {
        boolean wired = false;
        for (java.lang.reflect.Field f : CompileCommand.class.getDeclaredFields()) wired |= f.getType() == VivadoOutput.class;
        Assumptions.assumeTrue(wired, "CompileCommand has no VivadoOutput mixin yet");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> report(Path out) throws IOException {
        return (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void writesTheFlowForTheCompiledDesign() throws IOException {
        requireWired();
        Path out = tmp.resolve("out");
        Cli c = compile(out, "--lanes", "4");
        assertEquals(0, c.exit(), c.err());
        for (String f : List.of("vivado/build.tcl", "vivado/constraints.xdc", "Makefile")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("vivado/user.xdc")));
        Map<String, Object> r = report(out);
        assertEquals("xc7s15ftgb196-1", r.get("part"));
        assertEquals(100.0, r.get("clock_mhz"));
        Map<String, Object> hw = (Map<String, Object>) r.get("hardware");
        String tcl = Files.readString(out.resolve("vivado/build.tcl"));
        // every RTL file and memory image report.json lists, read from rtl/ in OUTDIR
        for (Object f : (List<Object>) hw.get("rtl")) assertTrue(tcl.contains("read_verilog [file join $tfq_out rtl/" + f + "]"), f + "\n" + tcl);
        for (Object f : (List<Object>) hw.get("memories")) assertTrue(tcl.contains("read_mem [file join $tfq_out rtl/" + f + "]"), f + "\n" + tcl);
        // $readmemh in the RTL reads {MEM_DIR, file} with MEM_DIR = "rtl/": Vivado must run in OUTDIR
        assertTrue(Files.readString(out.resolve("rtl/tfq_top.v")).contains("parameter MEM_DIR = \"rtl/\""));
        assertTrue(tcl.contains("\ncd $tfq_out\n"), tcl);
        assertTrue(tcl.contains("synth_design -top $top -part $part") && tcl.contains("set part xc7s15ftgb196-1"), tcl);
        assertTrue(tcl.contains("# The RTL generator gives " + ((Number) r.get("cycles_per_inference")).longValue()
                + " clock cycles per inference."), tcl);
        assertTrue(Files.readString(out.resolve("vivado/constraints.xdc")).contains("-period 10.000"));
        Map<String, Object> model = (Map<String, Object>) r.get("resource_model");
        assertEquals("--lanes", model.get("lanes_chosen_by"));
        assertTrue(((List<Object>) model.get("units")).size() >= 8, model.toString());
    }

    @Test
    void optionsReachTheGeneratedFiles() throws IOException {
        requireWired();
        Path xdc = Files.writeString(tmp.resolve("pins.xdc"), "set_property PACKAGE_PIN E3 [get_ports clk]\n");
        Path out = tmp.resolve("out");
        Cli c = compile(out, "--lanes", "2", "--part", "XC7S25CSGA324-1", "--clock-mhz", "125", "--xdc", xdc.toString(),
                "--allow-timing-violation");
        assertEquals(0, c.exit(), c.err());
        assertEquals("xc7s25csga324-1", report(out).get("part"));
        String tcl = Files.readString(out.resolve("vivado/build.tcl"));
        assertTrue(tcl.contains("set part xc7s25csga324-1") && tcl.contains("set allow_timing_violation 1"), tcl);
        assertTrue(tcl.contains("read_xdc [file join $tfq_out vivado/user.xdc]"), tcl);
        assertTrue(Files.readString(out.resolve("vivado/constraints.xdc")).contains("-period 8.000"));
        assertEquals(Files.readString(xdc), Files.readString(out.resolve("vivado/user.xdc")));
    }

    @Test
    void everyGeneratedTclFileRunsUnderTclsh() throws IOException, InterruptedException {
        requireWired();
        String tclsh = tool("tclsh");
        Path xdc = Files.writeString(tmp.resolve("pins.xdc"), "set_property IOSTANDARD LVCMOS33 [get_ports clk]\n");
        Path out = tmp.resolve("out");
        assertEquals(0, compile(out, "--lanes", "2", "--xdc", xdc.toString()).exit());
        for (String f : List.of("vivado/build.tcl", "vivado/constraints.xdc", "vivado/user.xdc")) {
            Stubbed r = sourceWithVivadoStubs(tclsh, tmp, out.resolve(f));
            assertEquals(0, r.run().exit(), f + "\n" + r.run().output());
            List<String> calls = r.calls();
            if (f.equals("vivado/build.tcl")) {
                assertTrue(r.run().output().contains("tfq: wrote " + out.toRealPath().resolve("build/tfq_top.bit")), r.run().output());
                assertEquals(List.of("synth_design", "opt_design", "place_design", "phys_opt_design", "route_design", "write_bitstream"),
                        calls.stream().filter(x -> x.endsWith("_design") || x.equals("write_bitstream")).toList());
            } else {
                assertFalse(calls.isEmpty(), f);
            }
        }
    }

    @Test
    void makeBitstreamRunsVivadoInBatchModeFromTheOutputFolder() throws IOException, InterruptedException {
        requireWired();
        String make = tool("make");
        Path out = tmp.resolve("out");
        assertEquals(0, compile(out, "--lanes", "2").exit());
        Run r = run(tmp, List.of(make, "-C", out.toString(), "-n", "bitstream", "VIVADO=/opt/Xilinx/bin/vivado"));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("cd '" + out.toRealPath() + "' && rm -f build/tfq_top.bit && mkdir -p reports && /opt/Xilinx/bin/vivado -mode batch -nojournal"
                + " -log reports/vivado.log -source vivado/build.tcl"), r.output());
        Run rep = run(tmp, List.of(make, "-C", out.toString(), "-n", "report", "estimate", "sim", "TFQ=/x/tfq"));
        assertTrue(rep.output().contains("/x/tfq report .") && rep.output().contains("/x/tfq estimate .")
                && rep.output().contains("/x/tfq simulate ."), rep.output());
    }

    /** make sim (Verilator) and make estimate (Yosys) on a generated folder, with TFQ= this build of tfq. */
    @Test
    void makeSimAndMakeEstimateRunFromTheOutputFolder() throws IOException, InterruptedException {
        requireWired();
        String make = tool("make");
        tool("verilator");
        tool("yosys");
        Path out = tmp.resolve("out");
        assertEquals(0, compile(out, "--lanes", "1").exit());
        Path tfq = tfqLauncher();
        Run sim = run(out, List.of(make, "sim", "TFQ=" + tfq));
        assertEquals(0, sim.exit(), sim.output());
        assertTrue(sim.output().contains("  mismatches   0\n"), sim.output());
        Run est = run(out, List.of(make, "estimate", "TFQ=" + tfq));
        assertEquals(0, est.exit(), est.output());
        assertTrue(Files.isRegularFile(out.resolve("reports/estimate.json")), est.output());
        assertTrue(est.output().contains("part       xc7s15ftgb196-1"), est.output());
    }

    @Test
    void unknownPartIsAnError() {
        requireWired();
        Path out = tmp.resolve("out");
        Cli c = compile(out, "--part", "xc7z020clg400-1");
        c.assertOneLineError();
        assertTrue(c.err().contains("unknown FPGA part 'xc7z020clg400-1'") && c.err().contains("xc7s15"), c.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aClockOfZeroOrLessIsAnError() {
        requireWired();
        for (String mhz : List.of("0", "-100")) {
            Path out = tmp.resolve("out" + mhz);
            Cli c = compile(out, "--clock-mhz", mhz);
            c.assertOneLineError();
            assertTrue(c.err().contains("the clock must be a positive frequency in MHz"), c.err());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void aMissingXdcIsAnError() {
        requireWired();
        Path out = tmp.resolve("out");
        Cli c = compile(out, "--xdc", tmp.resolve("board.xdc").toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("board.xdc: no such file (user XDC)"), c.err());
        assertFalse(Files.exists(out));
    }

    // ------------------------------------------------------------------ helpers

    record Run(int exit, String output) {}

    /** What tclsh printed sourcing a file with Vivado's commands stubbed, and the commands it called, in order. */
    record Stubbed(Run run, List<String> calls) {}

    /**
     * Sources {@code tcl} in plain tclsh with Vivado's commands as stubs that log their name (the
     * timing query reports met timing), from {@code work}, where the script and log are written.
     */
    static Stubbed sourceWithVivadoStubs(String tclsh, Path work, Path tcl) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "calls", ".txt");
        String stubs = "set ::log [open {" + log + "} w]\n"
                + "proc get_timing_paths {args} { puts $::log get_timing_paths; return {path0} }\n"
                + "proc get_property {args} { return 0.250 }\n"
                + "proc get_ports {args} { return $args }\n"
                + "proc get_drc_checks {args} { return $args }\n"
                + "proc unknown {args} { puts $::log [lindex $args 0]; return {} }\n"
                // exec is a Tcl builtin, so unknown never sees it: record it instead of running anything
                + "rename exec tfq_real_exec\n"
                + "proc exec {args} { puts $::log exec; return {} }\n";
        Path script = Files.createTempFile(work, "run-" + tcl.getFileName(), ".tcl");
        Files.writeString(script, stubs + "source {" + tcl + "}\nclose $::log\n");
        Run r = run(work, List.of(tclsh, script.toString()));
        List<String> calls = Files.readAllLines(log);
        Files.delete(script);
        Files.delete(log);
        return new Stubbed(r, calls);
    }

    static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("MAKEFLAGS");
        pb.environment().remove("MAKELEVEL");
        Path log = Files.createTempFile("run", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + ": no exit within 10 minutes");
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Run(p.exitValue(), text);
    }

    /** The tool's path, or the test is skipped (scripts/install-tools.sh installs it). */
    static String tool(String name) {
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        Assumptions.assumeTrue(false, name + " is not installed");
        return null;
    }

    /** A {@code tfq} command for make's TFQ=: this JVM's java with this test run's class path. */
    private Path tfqLauncher() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path launcher = tmp.resolve("tfq");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path") + "' org.tfq.cli.Main \"$@\"\n");
        assertTrue(launcher.toFile().setExecutable(true));
        return launcher;
    }
}
