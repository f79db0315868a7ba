package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/**
 * Devices and FIFOs as inputs are refused at once (issue 19: {@code /dev/zero} as the model or a
 * sample file read for 11-16 s to 5.5 GB, then an OutOfMemoryError and a stack trace), so is
 * calibration data whose observations would not fit the heap, and an Error that does escape a
 * command is one line and exit 3, like any internal failure.
 */
class InputLimitsTest {

    @TempDir
    Path dir;

    private static final String MODEL = "ref_n12_d16_m1";

    @Test
    void aDeviceOrFifoAsModelCalibrationInputsOrTargetsIsOneErrorNamingIt() throws Exception {
        Path fifo = dir.resolve("fifo.npy");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo failed");
        String model = Cli.model(MODEL + ".onnx").toString(), x = Cli.model(MODEL + ".inputs.npy").toString(),
                y = Cli.model(MODEL + ".targets.npy").toString(), out = dir.resolve("out").toString();
        for (String bad : List.of("/dev/zero", fifo.toString())) {
            List<String[]> runs = new ArrayList<>();
            runs.add(new String[] {"inspect", bad});
            runs.add(new String[] {"compile", bad, "-o", out});
            runs.add(new String[] {"compile", model, "--calibration", bad, "-o", out});
            runs.add(new String[] {"evaluate", model, "--inputs", bad});
            runs.add(new String[] {"evaluate", model, "--inputs", x, "--targets", bad});
            runs.add(new String[] {"compile", model, "--calibration", x, "--inputs", bad, "--targets", y, "-o", out});
            for (String[] args : runs) {
                Cli r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Cli.run(args), () -> String.join(" ", args));
                r.assertOneLineError();
                assertTrue(r.err().startsWith("tfq: error: " + bad + ": not a regular file (a device, FIFO or socket); give "), r.err());
                assertTrue(!Files.exists(Path.of(out)), "an output folder for a refused input");
            }
        }
    }

    /** 200,000 samples: a 9.6 MB file whose every activation calibration would keep (gigabytes). */
    @Test
    void calibrationOverTheObservationLimitIsRefusedBeforeTheHeapFills() throws Exception {
        int n = 200_000;
        float[] v = new float[n * 12];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.1);
        Path big = dir.resolve("big.npy");
        org.tfq.ir.io.Npy.write(big, new org.tfq.ir.FloatTensor(org.tfq.ir.Shape.of(n, 12, 1), v));
        Cli r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("compile", Cli.model(MODEL + ".onnx").toString(),
                "--calibration", big.toString(), "-o", dir.resolve("out").toString()));
        r.assertOneLineError();
        assertTrue(r.err().contains("(calibrated on " + big + "): cannot quantize: 200000 calibration samples of "), r.err());
        assertTrue(r.err().contains("over tfq's limit of 67108864 (256 MiB); calibrate on at most "), r.err());
    }

    @Test
    void anOutOfMemoryOrStackOverflowErrorIsOneInternalErrorLine() {
        Cli r = Cli.run(c -> c.addSubcommand(new Oom()), "oom");
        assertEquals(3, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("tfq: internal error: java.lang.OutOfMemoryError: Requested array size exceeds VM limit; tfq ran out of its "), r.err());
        assertTrue(r.err().contains(" MiB heap: give it more with TFQ_JAVA_OPTS=-Xmx4g"), r.err());
        r.assertNoStackTrace();

        r = Cli.run(c -> c.addSubcommand(new Deep()), "deep");
        assertEquals(3, r.exit(), r.err());
        assertEquals("tfq: internal error: java.lang.StackOverflowError: null (run with --verbose for the stack trace)", r.err().strip());
        r = Cli.run(c -> c.addSubcommand(new Deep()), "--verbose", "deep");
        assertTrue(r.err().contains("\tat org.tfq.cli.InputLimitsTest$Deep.depth"), r.err().substring(0, Math.min(2000, r.err().length())));
    }

    @Command(name = "oom")
    static final class Oom extends TfqCommand {
        @Override
        protected int run() {
            long[] huge = new long[Integer.MAX_VALUE]; // over the VM's array limit: an OutOfMemoryError without using memory
            return huge.length;
        }
    }

    @Command(name = "deep")
    static final class Deep extends TfqCommand {
        @Override
        protected int run() {
            return depth(0);
        }

        private static int depth(int n) {
            return n < 0 ? n : depth(n + 1) + 1;
        }
    }
}
