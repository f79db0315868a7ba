package org.tfq.vivado;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs an external tool (tclsh, make) and keeps its exit code and output. */
record Proc(int exit, String out, String err) {

    static Proc run(Path dir, Map<String, String> env, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().putAll(env);
            // MAKEFLAGS from a surrounding make would change what make -n prints
            pb.environment().remove("MAKEFLAGS");
            pb.environment().remove("MAKELEVEL");
            Path out = Files.createTempFile("proc", ".out");
            Path err = Files.createTempFile("proc", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": no exit within 30 s");
            }
            Proc r = new Proc(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The tool's path, or the test is skipped (scripts/install-tools.sh installs it). */
    static String require(String tool) {
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, tool);
            if (Files.isExecutable(p)) return p.toString();
        }
        Assumptions.assumeTrue(false, tool + " is not installed");
        return null;
    }

    String describe() {
        return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }

    List<String> outLines() {
        return out.lines().toList();
    }
}
