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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated Makefile under GNU make: on its own in OUTDIR, with -f, and included from a project. */
class MakefileTest {

    static String make;

    @TempDir
    Path tmp;

    Path out;
    String abs;

    @BeforeAll
    static void needMake() {
        make = Proc.require("make");
    }

    @BeforeEach
    void generate() throws IOException {
        VivadoDesign d = Fixtures.design();
        out = Fixtures.writeOutdir(tmp.resolve("out"), d, VivadoFlow.files(d, VivadoOptions.defaults()));
        abs = out.toRealPath().toString();
    }

    private Proc make(Path dir, String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = make;
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Proc.run(dir, Map.of(), cmd);
    }

    private static void assertOk(Proc p) {
        assertEquals(0, p.exit(), p.describe());
        assertFalse(p.err().contains("warning"), p.describe());
    }

    @Test
    void bitstreamRunsVivadoInBatchModeFromOutdir() {
        Proc p = make(out, "-n", "bitstream", "VIVADO=/opt/x/vivado");
        assertOk(p);
        assertEquals(List.of("cd '" + abs + "' && rm -f build/tfq_top.bit && mkdir -p reports && /opt/x/vivado -mode batch -nojournal -log reports/vivado.log -source vivado/build.tcl"),
                p.outLines());
    }

    @Test
    void oocRunsBuildTclOutOfContext() {
        Proc p = make(out, "-n", "ooc", "VIVADO=/opt/x/vivado");
        assertOk(p);
        assertEquals(List.of("cd '" + abs + "' && mkdir -p reports/ooc && /opt/x/vivado -mode batch -nojournal -log reports/ooc/vivado.log"
                + " -source vivado/build.tcl -tclargs -ooc"), p.outLines());
    }

    @Test
    void vivadoDefaultsToThePath() {
        Proc p = make(out, "-n", "bitstream");
        assertOk(p);
        assertTrue(p.out().contains("&& vivado -mode batch"), p.out());
    }

    @Test
    void tfqTargets() {
        for (String[] t : new String[][] {{"sim", "simulate"}, {"estimate", "estimate"}, {"report", "report"}}) {
            Proc p = make(out, "-n", t[0], "TFQ=/x/bin/tfq");
            assertOk(p);
            assertEquals(List.of("cd '" + abs + "' && /x/bin/tfq " + t[1] + " ."), p.outLines());
            Proc q = make(out, "-n", t[0]);
            assertEquals(List.of("cd '" + abs + "' && tfq " + t[1] + " ."), q.outLines(), q.describe());
        }
    }

    @Test
    void defaultGoalOnlyPrintsHelp() {
        Proc p = make(out);
        assertOk(p);
        assertTrue(p.out().startsWith("targets: sim estimate bitstream ooc report clean"), p.out());
    }

    @Test
    void dashFFromAnotherDirectory() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Proc p = make(elsewhere, "-n", "-f", out.resolve("Makefile").toString(), "bitstream", "VIVADO=/opt/x/vivado");
        assertOk(p);
        assertEquals(List.of("cd '" + abs + "' && rm -f build/tfq_top.bit && mkdir -p reports && /opt/x/vivado -mode batch -nojournal -log reports/vivado.log -source vivado/build.tcl"),
                p.outLines());
    }

    @Test
    void includedFromAProjectMakefile() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project"));
        // included first, before the project's own rules, and by a relative path
        Fixtures.write(project.resolve("project.mk"), """
                include ../out/Makefile

                all:
                \t@echo project-all

                clean:
                \t@echo project-clean

                bitstream: tfq-bitstream
                """);
        Proc b = make(project, "-n", "-f", "project.mk", "bitstream", "VIVADO=/opt/x/vivado");
        assertOk(b);
        assertEquals(List.of("cd '" + abs + "' && rm -f build/tfq_top.bit && mkdir -p reports && /opt/x/vivado -mode batch -nojournal -log reports/vivado.log -source vivado/build.tcl"),
                b.outLines());
        Proc s = make(project, "-n", "-f", "project.mk", "tfq-sim", "TFQ=/x/tfq");
        assertOk(s);
        assertEquals(List.of("cd '" + abs + "' && /x/tfq simulate ."), s.outLines());
        // the project's default goal and its own clean stay its own
        Proc d = make(project, "-f", "project.mk");
        assertOk(d);
        assertEquals(List.of("project-all"), d.outLines());
        Proc c = make(project, "-f", "project.mk", "clean");
        assertOk(c);
        assertEquals(List.of("project-clean"), c.outLines());
        // the short names are not defined when included
        Proc r = make(project, "-n", "-f", "project.mk", "report");
        assertTrue(r.exit() != 0 && r.err().contains("No rule to make target 'report'"), r.describe());
    }

    @Test
    void includedAfterTheProjectsFirstRule() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project2"));
        Fixtures.write(project.resolve("Makefile"), "first:\n\t@echo project-first\n\ninclude " + out.resolve("Makefile") + "\n");
        Proc d = make(project);
        assertOk(d);
        assertEquals(List.of("project-first"), d.outLines());
        Proc b = make(project, "-n", "tfq-bitstream");
        assertOk(b);
        assertTrue(b.out().startsWith("cd '" + abs + "' && rm -f build/tfq_top.bit && mkdir -p reports"), b.out());
    }

    @Test
    void cleanRemovesWhatVivadoMadeAndNothingElse() throws IOException {
        List<String> made = List.of("build/post_route.dcp", "build/tfq_top.bit", ".Xil/Vivado-1-host/x.txt",
                "reports/utilization.rpt", "reports/utilization_hier.rpt", "reports/timing_summary.rpt", "reports/power.rpt",
                "reports/vivado.log", "reports/vivado_1234.backup.log", "reports/summary.json", "reports/drc.rpt",
                "reports/route_status.rpt", "reports/ooc/utilization.rpt", "reports/ooc/vivado.log", "build/ooc/post_route.dcp",
                "vivado_pid1234.str", "usage_statistics_webtalk.html", "usage_statistics_webtalk.xml", "clockInfo.txt");
        List<String> kept = List.of("Makefile", "vivado/build.tcl", "vivado/constraints.xdc", "rtl/tfq_top.v",
                "rtl/weights_l0.mem", "report.json", "ir.txt", "sim/activity.saif");
        for (String f : made) Fixtures.write(out.resolve(f), "x\n");
        for (String f : kept) if (!Files.exists(out.resolve(f))) Fixtures.write(out.resolve(f), "x\n");
        Proc p = make(out, "clean");
        assertOk(p);
        for (String f : made) assertFalse(Files.exists(out.resolve(f)), f + " survived make clean");
        for (String f : kept) assertTrue(Files.exists(out.resolve(f)), f + " was removed by make clean");
        assertFalse(Files.exists(out.resolve("reports")), "empty reports/ stays");
        assertFalse(Files.exists(out.resolve("build")));
        // a clean tree cleans again without error
        assertOk(make(out, "clean"));
    }

    @Test
    void cleanKeepsAReportsFolderWithOtherFiles() throws IOException {
        Fixtures.write(out.resolve("reports/power.rpt"), "x\n");
        Fixtures.write(out.resolve("reports/notes.txt"), "mine\n");
        assertOk(make(out, "clean"));
        assertFalse(Files.exists(out.resolve("reports/power.rpt")));
        assertTrue(Files.exists(out.resolve("reports/notes.txt")));
    }

    /** Folder names a shell would run or split if a recipe gave the path unquoted. */
    static final List<String> HOSTILE_FOLDERS = List.of("o$(touch pwned-subst)", "o`touch pwned-tick`", "o;touch pwned-semi;",
            "o'q\"d", "a b", "o$$HOME${IFS}x", "o'$(touch pwned-quoted)'");

    @Test
    void hostileFolderNamesAreNeverRunByTheRecipes() throws IOException {
        VivadoDesign d = Fixtures.design();
        for (String name : HOSTILE_FOLDERS) {
            Path dir = Fixtures.writeOutdir(tmp.resolve("hostile").resolve(name), d, VivadoFlow.files(d, VivadoOptions.defaults()));
            String real = dir.toRealPath().toString();
            // the real recipes, with harmless commands for tfq and Vivado: run in the folder and with -C
            Proc sim = make(dir, "sim", "TFQ=echo");
            assertEquals(0, sim.exit(), name + ": " + sim.describe());
            assertEquals(List.of("cd '" + real.replace("'", "'\\''") + "' && echo simulate .", "simulate ."), sim.outLines(), name);
            Proc bit = make(tmp, "-C", dir.toString(), "--no-print-directory", "bitstream", "VIVADO=echo");
            assertEquals(0, bit.exit(), name + ": " + bit.describe());
            assertTrue(Files.isDirectory(dir.resolve("reports")), name + ": the recipe ran elsewhere");
            Fixtures.write(dir.resolve("build/x.dcp"), "x\n");
            assertOk(make(dir, "clean"));
            assertFalse(Files.exists(dir.resolve("build")), name + ": make clean cleaned elsewhere");
        }
        try (var s = Files.walk(tmp)) {
            List<Path> pwned = s.filter(p -> p.getFileName().toString().startsWith("pwned")).toList();
            assertTrue(pwned.isEmpty(), "a folder name ran as a command: " + pwned);
        }
    }

    /** A stand-in for vivado: counts its runs and writes the bitstream, as build.tcl does when timing is met. */
    private Path fakeVivado() throws IOException {
        Path v = tmp.resolve("fake-vivado");
        Files.writeString(v, "#!/bin/sh\necho run >> vivado-runs.txt\nmkdir -p build && echo bit > build/tfq_top.bit\n");
        assertTrue(v.toFile().setExecutable(true));
        return v;
    }

    private long runs() throws IOException {
        Path f = out.resolve("vivado-runs.txt");
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    /** Sets the modification time of {@code f} in OUTDIR to {@code s} seconds after a fixed past instant, so no two steps share a second. */
    private void at(String f, long s) throws IOException {
        Files.setLastModifiedTime(out.resolve(f), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L + 1000 * s));
    }

    @Test
    void bitstreamIsAFileRuleRebuiltOnlyWhenAnInputChanged() throws Exception {
        String vivado = "VIVADO=" + fakeVivado();
        List<String> inputs = List.of("rtl/tfq_top.v", "rtl/tfq_layers.v", "rtl/weights_l0.mem", "rtl/weights_l1.mem",
                "vivado/constraints.xdc", "vivado/build.tcl");
        for (String f : inputs) at(f, 0);
        assertOk(make(out, "bitstream", vivado));
        assertEquals(1, runs());
        at("build/tfq_top.bit", 100);
        Proc again = make(out, "bitstream", vivado);
        assertOk(again);
        assertEquals(1, runs(), "Vivado ran again with nothing changed: " + again.describe());
        assertEquals(0, make(out, "-q", "tfq-bitstream").exit(), "make -q: the bitstream is not up to date");
        // each kind of input makes it stale: RTL, a memory image, the constraints, the Tcl
        long n = 1;
        for (String input : List.of("rtl/tfq_top.v", "rtl/weights_l1.mem", "vivado/constraints.xdc", "vivado/build.tcl")) {
            at(input, 100 * n + 50);
            assertEquals(1, make(out, "-q", "tfq-bitstream").exit(), input + " changed, but make -q says up to date");
            assertOk(make(out, "bitstream", vivado));
            assertEquals(++n, runs(), input + " changed, Vivado did not run");
            at("build/tfq_top.bit", 100 * n);
        }
        // a run that fails (timing not met: build.tcl exits 2 before write_bitstream) leaves no bitstream of the older RTL
        Path failing = tmp.resolve("failing-vivado");
        Files.writeString(failing, "#!/bin/sh\necho run >> vivado-runs.txt\nexit 2\n");
        assertTrue(failing.toFile().setExecutable(true));
        at("rtl/tfq_top.v", 100 * n + 50);
        assertEquals(2, make(out, "bitstream", "VIVADO=" + failing).exit());
        assertFalse(Files.exists(out.resolve("build/tfq_top.bit")), "the bitstream of the older RTL is still there");
        assertOk(make(out, "bitstream", vivado));
        n += 2;
        assertEquals(n, runs());
        at("build/tfq_top.bit", 100 * n);
        // from a project: its own file rule on TFQ_BITSTREAM is up to date too
        Path project = Files.createDirectories(tmp.resolve("proj"));
        Fixtures.write(project.resolve("Makefile"), "include " + out.resolve("Makefile") + "\nboard.bin: $(TFQ_BITSTREAM)\n\tcp $< $@\n");
        assertOk(make(project, "board.bin", vivado));
        assertEquals(0, make(project, "-q", "board.bin", vivado).exit());
        assertEquals(n, runs());
    }
}
