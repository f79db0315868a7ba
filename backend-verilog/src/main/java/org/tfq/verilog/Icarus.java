package org.tfq.verilog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Icarus Verilog as a simulator: {@code iverilog -g2001} compiles to {@code workDir/icarus/<top>.vvp},
 * {@code vvp -n} runs it in {@code workDir} ({@code -n}: a {@code $stop} ends the run instead of
 * waiting for interactive input). Icarus keeps X and Z, so a comparison with {@code !==} in a
 * testbench also catches outputs that were never driven or never reset.
 */
public final class Icarus extends AbstractSimulator {

    /** Icarus from the PATH. */
    public Icarus() {
        super(null);
    }

    /** Icarus from the directories of {@code searchPath} (a PATH string). */
    Icarus(String searchPath) {
        super(searchPath);
    }

    @Override
    public String name() {
        return "icarus";
    }

    @Override
    List<String> requiredTools() {
        return List.of("iverilog", "vvp");
    }

    @Override
    String aptPackages() {
        return "iverilog";
    }

    @Override
    ProcessRunner.Outcome build(Path workDir, Path buildDir, List<Path> sources, String top, Duration timeout) {
        List<String> c = new ArrayList<>(List.of("iverilog", "-g2001", "-Wall", "-s", top, "-o",
                buildDir.resolve(top + ".vvp").toString()));
        for (Path s : sources) c.add(s.toString());
        return exec(c, workDir, timeout, buildDir.resolve("build.stdout.log"), buildDir.resolve("build.stderr.log"));
    }

    @Override
    List<String> runCommand(Path buildDir, String top) {
        return List.of("vvp", "-n", buildDir.resolve(top + ".vvp").toString());
    }
}
