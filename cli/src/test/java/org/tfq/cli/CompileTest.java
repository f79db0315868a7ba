package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileTest {

    @TempDir
    Path dir;

    private static String m(String suffix) {
        return Cli.model("ref_n12_d16_m1" + suffix).toString();
    }

    private Cli compile(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("compile", m(".onnx"), "--bits", "8",
                "--calibration", m(".calibration.npy"), "-o", out.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void writesTheIntegerIrAndAReportPerLayer() throws IOException {
        Path out = dir.resolve("out");
        Cli c = compile(out, "--inputs", m(".inputs.npy"), "--targets", m(".targets.npy"));
        assertEquals(0, c.exit(), c.err());
        String ir = Files.readString(out.resolve("ir.txt"));
        assertTrue(ir.contains("int_linear") && ir.contains("i8(s="), ir);
        String report = Files.readString(out.resolve("report.json"));
        for (String key : List.of("\"layers\"", "\"multipliers\"", "\"shifts\"", "\"accumulator_bits\"", "\"rmse_int\"",
                "\"rmse_float\"", "\"rmse_int_vs_float\"", "\"output_quantization\"")) {
            assertTrue(report.contains(key), key + " missing from report.json");
        }
    }

    @Test
    void refusesAFolderTfqDidNotWriteUnlessForced() throws IOException {
        Path out = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        Cli c = compile(out);
        c.assertOneLineError();
        assertTrue(c.err().contains("holds files tfq did not write") && c.err().contains("--force"), c.err());
        assertEquals("keep me", Files.readString(out.resolve("notes.txt")));
        assertEquals(0, compile(out, "--force").exit());
        assertTrue(Files.exists(out.resolve("ir.txt")) && !Files.exists(out.resolve("notes.txt")));
    }

    @Test
    void aFailedCompileLeavesThePreviousOutputIntact() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, compile(out).exit());
        java.util.SortedMap<String, String> before = Cli.files(out);
        // early: a calibration file that is not .npy; late, after quantization and scheduling: no lane count fits,
        // with --force; and a model whose import fails
        Path bad = Files.writeString(dir.resolve("bad.npy"), "not numpy");
        Path truncated = Files.write(dir.resolve("truncated.onnx"), java.util.Arrays.copyOf(Files.readAllBytes(Path.of(m(".onnx"))), 5000));
        List<Cli> failures = List.of(
                Cli.run("compile", m(".onnx"), "--calibration", bad.toString(), "-o", out.toString()),
                compile(out, "--force", "--max-utilization", "0.01"),
                Cli.run("compile", truncated.toString(), "--force", "-o", out.toString()));
        for (Cli c : failures) {
            assertEquals(1, c.exit(), c.err());
            assertTrue(c.err().startsWith("tfq: error: "), c.err()); // the lanes error goes on with its table
            c.assertNoStackTrace();
            assertEquals(before, Cli.files(out), "the previous output changed after: " + c.err());
            try (Stream<Path> s = Files.list(dir)) {
                // .out.lock stays: the lock of OUTDIR (OutputLock)
                assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".out.") && !p.getFileName().toString().equals(".out.lock")),
                        "temporary folder left behind");
            }
        }
        assertTrue(failures.get(1).err().contains("no lane count fits"), failures.get(1).err());
    }

    @Test
    void refusesAnOutputFolderThatHoldsAnInputEvenWithForce() throws IOException {
        Path out = Files.createDirectories(dir.resolve("work"));
        Path model = Files.copy(Path.of(m(".onnx")), out.resolve("model.onnx"));
        Cli c = Cli.run("compile", model.toString(), "--calibration", m(".calibration.npy"), "--force", "-o", out.toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("an input of this compile"), c.err());
        assertTrue(Files.isRegularFile(model));
        // the same folder reached through a symbolic link, and the model through another
        Path link = Files.createSymbolicLink(dir.resolve("link"), out);
        Path modelLink = Files.createSymbolicLink(dir.resolve("model-link.onnx"), model);
        Cli l = Cli.run("compile", modelLink.toString(), "--calibration", m(".calibration.npy"), "--force", "-o", link.toString());
        l.assertOneLineError();
        assertTrue(l.err().contains("an input of this compile"), l.err());
        assertTrue(Files.isRegularFile(model));
    }

    @Test
    void floatModelWithoutCalibrationSaysWhatToPass() {
        Cli c = Cli.run("compile", m(".onnx"), "--bits", "4", "-o", dir.resolve("o").toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("pass --calibration C.npy"), c.err());
        assertTrue(Files.notExists(dir.resolve("o")));
    }

    @Test
    void bitsOutsideTwoToEight() {
        for (String b : List.of("1", "9")) {
            Cli c = Cli.run("compile", m(".onnx"), "--bits", b, "--calibration", m(".calibration.npy"), "-o", dir.resolve("o").toString());
            c.assertOneLineError();
            assertTrue(c.err().contains("--bits=" + b + ": tfq quantizes to 2..8 bits"), c.err());
        }
    }

    @Test
    void bitsForNamingNoLayer() {
        Cli c = compile(dir.resolve("o"), "--bits-for", "/no/such/layer=4");
        c.assertOneLineError();
        assertTrue(c.err().contains("--bits-for /no/such/layer: no layer of that name; names are listed by tfq inspect --dump-ir (after '#')"), c.err());
    }

    @Test
    void calibrationOfTheWrongShape() {
        Cli c = Cli.run("compile", m(".onnx"), "--calibration", Cli.model("ref_n12_d16_m3.calibration.npy").toString(),
                "-o", dir.resolve("o").toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("does not fit model input"), c.err());
    }

    @Test
    void trainedModelRefusesOtherBits() {
        Cli c = Cli.run("compile", Cli.model("qat_n12_d16_m3_b4_qcdq.onnx").toString(), "--bits", "8", "-o", dir.resolve("o").toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("--bits 8 disagrees"), c.err());
    }
}
