package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tfq compile --dump-ir DIR: the IR after every pass, the last byte-identical to OUTDIR/ir.txt, under OUTDIR's folder rules. */
class DumpIrCommandTest {

    @TempDir
    Path dir;

    private static String m(String suffix) {
        return Cli.model("ref_n12_d16_m1" + suffix).toString();
    }

    private Cli compile(Path out, Path dump, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("compile", m(".onnx"), "--bits", "8", "--calibration", m(".calibration.npy"),
                "-o", out.toString(), "--dump-ir", dump.toString(), "--weight-rounding", "gptq"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void writesOneFilePerPassInOrderTheLastEqualToIrTxt() throws IOException {
        Path out = dir.resolve("out"), dump = dir.resolve("ir");
        Cli c = compile(out, dump);
        assertEquals(0, c.exit(), c.err());
        List<String> files = Files.readString(dump.resolve("index.txt")).lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertEquals("01-import.txt", files.get(0), files.toString());
        assertTrue(files.contains(String.format("%02d-round-weights-gptq.txt", files.size() - 1)), files.toString());
        String last = files.get(files.size() - 1);
        assertEquals(String.format("%02d-lower-to-integer.txt", files.size()), last);
        for (String f : files) assertTrue(Files.isRegularFile(dump.resolve(f)), f);
        assertEquals(Files.readString(out.resolve("ir.txt")), Files.readString(dump.resolve(last)));
        // and again over its own earlier output, as compile replaces OUTDIR
        assertEquals(0, compile(out, dump).exit());
    }

    @Test
    void refusesAFolderTfqDidNotWriteUnlessForcedAndOneInsideOutdir() throws IOException {
        Path out = dir.resolve("out"), mine = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        Cli c = compile(out, mine);
        c.assertOneLineError();
        assertTrue(c.err().contains("holds files tfq did not write; choose another --dump-ir, or pass --force"), c.err());
        assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
        assertFalse(Files.exists(out), "nothing written when --dump-ir is refused");

        Cli inside = compile(out, out.resolve("ir"));
        inside.assertOneLineError();
        assertTrue(inside.err().contains("--dump-ir " + out.resolve("ir") + ": give a folder outside " + out), inside.err());

        assertEquals(0, compile(out, mine, "--force").exit());
        assertTrue(Files.exists(mine.resolve("index.txt")) && !Files.exists(mine.resolve("notes.txt")));

        // inside OUTDIR through a link to it on the way: refused before anything is replaced
        String before = Files.readString(out.resolve("ir.txt"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), out);
        Cli linked = compile(out, link.resolve("ir"), "--force");
        linked.assertOneLineError();
        assertTrue(linked.err().contains("give a folder outside " + out), linked.err());
        assertEquals(before, Files.readString(out.resolve("ir.txt")));
        assertFalse(Files.exists(out.resolve("ir")));
    }

    @Test
    void aFailingCompileStillWritesTheIrOfThePassesThatRan() throws IOException {
        Path out = dir.resolve("out"), dump = dir.resolve("ir");
        Cli c = Cli.run("compile", m(".onnx"), "--bits", "8", "-o", out.toString(), "--dump-ir", dump.toString()); // no calibration
        c.assertOneLineError();
        assertTrue(c.err().contains("this is a float model: pass --calibration C.npy"), c.err());
        assertTrue(c.err().contains("(the IR after each pass that ran is in " + dump + ")"), c.err());
        List<String> files = Files.readString(dump.resolve("index.txt")).lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertEquals("01-import.txt", files.get(0));
        assertFalse(files.stream().anyMatch(f -> f.contains("lower-to-integer")), files.toString());
        for (String f : files) assertTrue(Files.isRegularFile(dump.resolve(f)), f);
        assertFalse(Files.exists(out), "OUTDIR is not written when the compile fails");
    }

    @Test
    void errorsAboutTheDumpFolderNameItsOption() throws IOException {
        Path dangling = Files.createSymbolicLink(dir.resolve("gone"), dir.resolve("nowhere"));
        Cli c = compile(dir.resolve("out"), dangling);
        c.assertOneLineError();
        assertTrue(c.err().contains("which does not exist; create that folder or choose another --dump-ir"), c.err());
        // a copy of the model, so that a regression could not delete the repository's own
        Path models = Files.createDirectory(dir.resolve("models"));
        Path model = Files.copy(Path.of(m(".onnx")), models.resolve("m.onnx"));
        Cli holding = Cli.run("compile", model.toString(), "--bits", "8", "--calibration", m(".calibration.npy"),
                "-o", dir.resolve("out").toString(), "--dump-ir", models.toString(), "--force");
        holding.assertOneLineError();
        assertTrue(holding.err().contains("and would be replaced; choose another --dump-ir"), holding.err());
        assertTrue(Files.exists(model));
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
