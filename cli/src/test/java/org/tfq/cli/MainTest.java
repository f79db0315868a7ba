package org.tfq.cli;

import org.tfq.ir.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IrException;
import picocli.CommandLine.Command;

/** Help, version, usage errors, and the one place errors turn into messages and exit codes. */
class MainTest {

    @Test
    void help() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: tfq"), r.out());
        assertTrue(r.out().contains("inspect"), r.out());
        assertTrue(r.out().contains("evaluate"), r.out());
        assertTrue(r.out().contains("--verbose"), r.out());
    }

    @Test
    void subcommandHelp() {
        for (String c : new String[] {"inspect", "evaluate"}) {
            Cli r = Cli.run(c, "--help");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Usage: tfq " + c), r.out());
        }
        Cli r = Cli.run("help", "evaluate");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--targets"), r.out());
    }

    @Test
    void versionComesFromTheMavenProject() {
        Cli r = Cli.run("--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().strip().matches("tfq \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli r = Cli.run();
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing command"), r.err());
        assertTrue(r.err().contains("Usage: tfq"), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli r = Cli.run("inspect", "--frobnicate", "m.onnx");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Unknown option: '--frobnicate'"), r.err());
        assertTrue(r.err().contains("Usage: tfq inspect"), r.err());
    }

    @Test
    void missingParameterIsAUsageError() {
        Cli r = Cli.run("evaluate", "m.onnx");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required option: '--inputs=X.npy'"), r.err());
        r = Cli.run("inspect");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required parameter: 'MODEL.onnx'"), r.err());
    }

    @Test
    void badBatchIsAUsageError() {
        Cli r = Cli.run("inspect", "--batch", "0", "m.onnx");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--batch must be at least 1, got 0"), r.err());
        r = Cli.run("inspect", "--batch", "two", "m.onnx");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Invalid value for option '--batch'"), r.err());
    }

    // ---- error handling, through test-only subcommands

    @Command(name = "fail-ir")
    static final class FailIr extends TfqCommand {
        @Override
        protected int run() {
            throw new IrException("m.onnx: node /fc (Foo): not supported");
        }
    }

    @Command(name = "fail-lines")
    static final class FailLines extends TfqCommand {
        @Override
        protected int run() {
            throw new IrException("m.onnx: 2 nodes are not supported\nnode a (Foo)\nnode b (Bar)");
        }
    }

    @Command(name = "fail-io")
    static final class FailIo extends TfqCommand {
        @Override
        protected int run() throws Exception {
            throw new NoSuchFileException("gone.npy");
        }
    }

    @Command(name = "fail-bug")
    static final class FailBug extends TfqCommand {
        @Override
        protected int run() {
            throw new IllegalStateException("cannot happen");
        }
    }

    private static Cli runWithFailures(String... args) {
        return Cli.run(c -> {
            c.addSubcommand(new FailIr());
            c.addSubcommand(new FailLines());
            c.addSubcommand(new FailIo());
            c.addSubcommand(new FailBug());
        }, args);
    }

    @Test
    void userErrorIsOneLineAndExit1() {
        Cli r = runWithFailures("fail-ir");
        r.assertOneLineError();
        assertEquals("tfq: error: m.onnx: node /fc (Foo): not supported\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void severalProblemsAreIndentedUnderTheErrorLine() {
        Cli r = runWithFailures("fail-lines");
        assertEquals(1, r.exit());
        assertEquals("tfq: error: m.onnx: 2 nodes are not supported\n  node a (Foo)\n  node b (Bar)\n", r.err());
    }

    @Test
    void ioErrorIsOneLineAndExit1() {
        Cli r = runWithFailures("fail-io");
        r.assertOneLineError();
        assertEquals("tfq: error: gone.npy: no such file\n", r.err());
    }

    @Test
    void bugIsOneLineAndExit3() {
        Cli r = runWithFailures("fail-bug");
        assertEquals(3, r.exit());
        assertEquals("tfq: internal error: java.lang.IllegalStateException: cannot happen"
                + " (run with --verbose for the stack trace)\n", r.err());
    }

    @Test
    void verboseAddsTheStackTraceBeforeOrAfterTheCommand() {
        for (String[] args : new String[][] {{"--verbose", "fail-bug"}, {"fail-bug", "--verbose"}}) {
            Cli r = runWithFailures(args);
            assertEquals(3, r.exit());
            assertTrue(r.err().startsWith("tfq: internal error: java.lang.IllegalStateException: cannot happen\n"), r.err());
            assertTrue(r.err().contains("\tat org.tfq.cli.MainTest$FailBug.run"), r.err());
        }
        Cli r = runWithFailures("--verbose", "fail-ir");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("tfq: error: m.onnx: node /fc (Foo): not supported\n"), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void jsonWriterIsLocaleIndependentAndEscapes() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("a", 0.5);
            o.put("b", null);
            o.put("c", Double.NaN);
            o.put("d", "q\"\\\n");
            o.put("e", java.util.List.of(1, 2));
            o.put("f", 1.0E-7);
            assertEquals("{\n  \"a\": 0.5,\n  \"b\": null,\n  \"c\": null,\n  \"d\": \"q\\\"\\\\\\n\",\n"
                    + "  \"e\": [1, 2],\n  \"f\": 1.0E-7\n}\n", Json.write(o));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }
}
