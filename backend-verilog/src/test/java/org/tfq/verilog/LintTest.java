package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** verilator --lint-only -Wall on every module: with its default parameters and with every parameter set the tests simulate. */
class LintTest {

    static List<UnitParameters> simulatedParameterSets() {
        List<UnitParameters> all = new ArrayList<>();
        all.addAll(IsqrtRtlTest.UNITS);
        all.addAll(PostRtlTest.UNITS);
        all.addAll(DivRoundPipeRtlTest.UNITS);
        return all;
    }

    @Test
    void everyModuleIsCleanWithItsDefaults() {
        Path dir = Bench.workDir("lint");
        for (RtlModule m : RtlModule.values()) {
            List<Path> files = m.write(dir.resolve(m.moduleName()));
            assertEquals(List.of(), Lint.verilatorLintWall(files), m.moduleName());
        }
    }

    @Test
    void everySimulatedParameterSetIsClean() {
        Path dir = Bench.workDir("lint-params");
        List<Path> all = RtlModule.write(dir, List.of(RtlModule.values()));
        int runs = 0;
        for (UnitParameters u : simulatedParameterSets()) {
            List<Path> files = all.stream().filter(p -> u.module().withDependencies().stream()
                    .anyMatch(m -> p.getFileName().toString().equals(m.fileName()))).toList();
            assertEquals(List.of(), Lint.verilatorLintWall(files, u.module().moduleName(), u.parameters()), u.toString());
            runs++;
        }
        assertTrue(runs >= 30, "parameter sets linted: " + runs);
    }

    @Test
    void edgeParameterSetsAreClean() {
        Path dir = Bench.workDir("lint-edges");
        List<UnitParameters> edges = List.of(
                new IsqrtUnit(62),
                new PostUnit(1, 1, 1, 1, 1, 1, 1), new PostUnit(61, 1, 1, 61, 62, 7, 63), new PostUnit(1, 61, 61, 1, 1, 7, 1),
                new DivRoundPipeUnit(63, 62, 62), new DivRoundPipeUnit(1, 62, 1), new DivRoundPipeUnit(63, 1, 62),
                new DivRoundPipeUnit(1, 1, 62));
        List<Path> all = RtlModule.write(dir, List.of(RtlModule.values()));
        for (UnitParameters u : edges) {
            List<Path> files = all.stream().filter(p -> u.module().withDependencies().stream()
                    .anyMatch(m -> p.getFileName().toString().equals(m.fileName()))).toList();
            assertEquals(List.of(), Lint.verilatorLintWall(files, u.module().moduleName(), u.parameters()), u.toString());
        }
    }

    @Test
    void reportsWarnings() {
        Path f = Fixtures.copy("lint_unused.v", Bench.workDir("lint-fixtures"));
        List<String> w = Lint.verilatorLintWall(List.of(f));
        assertTrue(w.stream().anyMatch(s -> s.startsWith("%Warning-UNUSEDSIGNAL") && s.contains("'a'[7:4]")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith("%Warning-WIDTH")), w::toString);
        assertFalse(w.stream().anyMatch(s -> s.startsWith("%Error: Exiting")), w::toString);
    }

    @Test
    void findsNamesUsedBeforeTheirDeclaration() {
        Path f = Fixtures.copy("lint_use_before_declaration.v", Bench.workDir("lint-fixtures-order"));
        assertEquals(List.of("lint_use_before_declaration.v: IN_W: used on line 5, declared on line 8",
                "lint_use_before_declaration.v: late_wire: used on line 10, declared on line 11"), Lint.usesBeforeDeclaration(f));
    }

    @Test
    void everyModuleDeclaresBeforeUseAndCompilesAsStrictVerilog2005() {
        Path dir = Bench.workDir("lint-order");
        for (RtlModule m : RtlModule.values()) {
            List<Path> files = m.write(dir.resolve(m.moduleName()));
            for (Path f : files) assertEquals(List.of(), Lint.usesBeforeDeclaration(f), f.toString());
            assertEquals(List.of(), Lint.icarusStrict(files, m.moduleName()), m.moduleName());
        }
    }

    @Test
    void rejectsSystemVerilog() {
        Path f = Fixtures.copy("lint_systemverilog.v", Bench.workDir("lint-fixtures-sv"));
        List<String> w = Lint.verilatorLintWall(List.of(f));
        assertTrue(w.stream().anyMatch(s -> s.startsWith("%Error")), w::toString);
    }
}
