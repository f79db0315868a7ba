package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Verilator 4 (Ubuntu 22.04 ships 4.038) has no {@code --timing}: {@code tfq simulate} says
 * which version it needs instead of failing on the option, and the example CI runs on a runner
 * whose Verilator is new enough.
 */
class VerilatorVersionTest {

    @Test
    void versionsOlderThan5002AreRefusedWithTheVersionNeeded() {
        String ubuntu2204 = "Verilator 4.038 2020-07-11 rev v4.036-114-g0cd4a57ad";
        String problem = Verilator.tooOld(ubuntu2204);
        assertTrue(problem != null && problem.startsWith("Verilator 4.038 found (" + ubuntu2204 + "); tfq's testbenches need Verilator 5.002 or newer"),
                String.valueOf(problem));
        assertTrue(Verilator.tooOld("Verilator 5.000 2022-09-01") != null);
        assertNull(Verilator.tooOld("Verilator 5.002 2022-10-29 rev v5.002"));
        assertNull(Verilator.tooOld("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"));
        assertNull(Verilator.tooOld("Verilator 5.020 2024-01-01 rev (Debian 5.020-1)"));
        assertNull(Verilator.tooOld("Verilator 6.000"));
        // what this cannot read is left to the build to complain about
        assertNull(Verilator.tooOld("verilator, some fork"));
        assertNull(Verilator.tooOld(null));
    }

    /** A Verilator 4 on the PATH: the run stops before building, with one message that names both versions. */
    @Test
    void anOldVerilatorOnThePathIsNamedBeforeTheBuild() throws Exception {
        Path bin = Bench.workDir("verilator-4");
        Path fake = bin.resolve("verilator");
        Files.writeString(fake, "#!/bin/sh\necho 'Verilator 4.038 2020-07-11 rev v4.036-114-g0cd4a57ad'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String tool : List.of("make", "g++")) {
            Path real = ProcessRunner.onPath(tool, System.getenv("PATH"));
            Assumptions.assumeTrue(real != null, tool + " is not installed");
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        Path dir = Bench.workDir("verilator-4-run");
        SimulatorNotFoundException e = assertThrows(SimulatorNotFoundException.class,
                () -> new Verilator(null, bin.toString()).run(dir, List.of(dir.resolve("tb.v")), "tb", Duration.ofSeconds(30)));
        assertTrue(e.getMessage().startsWith("Verilator 4.038 found"), e.getMessage());
        assertTrue(e.getMessage().contains("need Verilator 5.002 or newer"), e.getMessage());
    }

    /** Every job of examples/ci that installs Verilator from apt runs on Ubuntu 24.04 or later (Verilator 5.020). */
    @Test
    void theExampleWorkflowRunsVerilatorOnARunnerWithVerilator5() throws Exception {
        String root = System.getProperty("tfq.root");
        Assumptions.assumeTrue(root != null && !root.isBlank(), "tfq.root is not set (run through Maven)");
        String yml = Files.readString(Path.of(root, "examples/ci/tfq-fpga.yml"));
        int jobs = 0;
        for (String job : yml.split("\n  (?=[a-z][\\w-]*:\\n)")) {
            if (!job.contains("install") || !job.contains("verilator")) continue;
            jobs++;
            Matcher m = Pattern.compile("runs-on: ubuntu-(\\d+)\\.04").matcher(job);
            assertTrue(m.find(), "a job that installs verilator without an ubuntu-NN.04 runner:\n" + job);
            assertTrue(Integer.parseInt(m.group(1)) >= 24, "runs-on: ubuntu-" + m.group(1) + ".04 has Verilator 4, without --timing:\n" + job);
        }
        assertEquals(1, jobs, "the design job");
    }
}
