package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;

/**
 * Files a user can get wrong: each gives exit 1, one line on stderr naming the file, and no
 * stack trace. (Unsupported ops and external-data paths are tested with the importer.)
 */
class BadInputTest {

    @TempDir
    Path tmp;

    private Path gemm() throws IOException {
        return TinyModels.write(tmp, "gemm.onnx", TinyModels.gemm());
    }

    private Path npy(String name, FloatTensor t) throws IOException {
        Path p = tmp.resolve(name);
        Npy.write(p, t);
        return p;
    }

    @Test
    void missingModel() {
        Path m = tmp.resolve("absent.onnx");
        for (String cmd : new String[] {"inspect", "evaluate"}) {
            Cli r = cmd.equals("inspect") ? Cli.run(cmd, m.toString())
                    : Cli.run(cmd, m.toString(), "--inputs", tmp.resolve("x.npy").toString());
            r.assertOneLineError();
            assertTrue(r.err().contains(m + ": no such file"), r.err());
        }
    }

    @Test
    void directoryAsModel() {
        Cli r = Cli.run("inspect", tmp.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(tmp + ": is a directory"), r.err());
    }

    @Test
    void missingInputsFile() throws IOException {
        Path x = tmp.resolve("absent.npy");
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(x + ": no such file (--inputs)"), r.err());
    }

    @Test
    void missingTargetsFile() throws IOException {
        Path x = npy("x.npy", FloatTensor.zeros(Shape.of(2, 3)));
        Path y = tmp.resolve("absent.npy");
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString(), "--targets", y.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(y + ": no such file (--targets)"), r.err());
    }

    // ---- these need the importer (OnnxImporter.load)

    @Test
    void textFileIsNotOnnx() throws IOException {
        Path m = tmp.resolve("notes.onnx");
        Files.writeString(m, "these are my notes, not a model\n".repeat(20), StandardCharsets.UTF_8);
        for (String cmd : new String[] {"inspect", "evaluate"}) {
            Cli r = cmd.equals("inspect") ? Cli.run(cmd, m.toString())
                    : Cli.run(cmd, m.toString(), "--inputs", npy("x.npy", FloatTensor.zeros(Shape.of(2, 3))).toString());
            r.assertOneLineError();
            assertTrue(r.err().contains(m.toString()), r.err());
        }
    }

    @Test
    void truncatedTinyModel() throws IOException {
        byte[] whole = TinyModels.gemm().toByteArray();
        Path m = tmp.resolve("cut.onnx");
        Files.write(m, Arrays.copyOf(whole, whole.length / 2));
        Cli r = Cli.run("inspect", m.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(m.toString()), r.err());
    }

    @Test
    void truncatedRealModel() throws IOException {
        Path real = Cli.model("ref_n12_d16_m1.onnx");
        byte[] whole = Files.readAllBytes(real);
        Path m = tmp.resolve("ref_cut.onnx");
        Files.write(m, Arrays.copyOf(whole, whole.length * 2 / 3));
        Cli r = Cli.run("inspect", m.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(m.toString()), r.err());
        r = Cli.run("evaluate", m.toString(), "--inputs", Cli.model("ref_n12_d16_m1.inputs.npy").toString());
        r.assertOneLineError();
    }

    @Test
    void inputsOfTheWrongShape() throws IOException {
        Path x = npy("x.npy", FloatTensor.zeros(Shape.of(4, 5)));
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(x.toString()), r.err());
        assertTrue(r.err().contains("[4,5]"), r.err());
        assertTrue(r.err().contains("[N,3]"), r.err());
    }

    @Test
    void inputsWithoutSamples() throws IOException {
        Path x = npy("x.npy", FloatTensor.zeros(Shape.of(3)));
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("[3]") && r.err().contains("[N,3]"), r.err());
    }

    @Test
    void inputsNotNpy() throws IOException {
        Path x = tmp.resolve("x.npy");
        Files.writeString(x, "1,2,3\n4,5,6\n", StandardCharsets.UTF_8);
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(x + ": not a .npy file"), r.err());
    }

    @Test
    void targetsOfTheWrongShape() throws IOException {
        Path x = npy("x.npy", FloatTensor.zeros(Shape.of(4, 3)));
        Path y = npy("y.npy", FloatTensor.zeros(Shape.of(4)));
        Cli r = Cli.run("evaluate", gemm().toString(), "--inputs", x.toString(), "--targets", y.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(y.toString()) && r.err().contains("[4]") && r.err().contains("[4,2]"), r.err());
    }
}
