package org.tfq.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.compiler.WholeFile;
import org.tfq.ir.IrException;
import org.tfq.ir.io.Json;
import org.tfq.ir.io.SafeText;
import org.tfq.verilog.Templates;

/**
 * {@code tfq explore --emit-jobs github|slurm}: the Vivado runs of the Pareto candidates for
 * more machines than one, from the templates {@code vivado.yml.ftl} (a GitHub Actions matrix
 * workflow with a final job that runs {@code tfq explore --collect}) and
 * {@code vivado.slurm.ftl} (a Slurm array job).
 */
public final class ExploreJobs {
    private ExploreJobs() {}

    public static final String DIR = "jobs";
    private static final Templates TEMPLATES = new Templates("/org/tfq/explore");

    /**
     * The job file written: its path in the explore folder, whether it is GitHub's workflow (else
     * the Slurm script), and whether git ignores the folder (a workflow would not find it).
     */
    public record Written(Path file, boolean github, boolean ignoredByGit) {}

    public static Written write(String kind, Path dir, List<ExploreRow> candidates) throws IOException {
        return write(kind, dir, dir, candidates);
    }

    /** The job file for the explore folder {@code dir}, written into {@code work}, where it is built until moved to {@code dir}. */
    public static Written write(String kind, Path dir, Path work, List<ExploreRow> candidates) throws IOException {
        if (candidates.isEmpty()) throw new IrException("--emit-jobs: no Pareto candidate fits the part, so there is nothing to build");
        boolean github = kind.equals("github");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidates", candidates.stream().map(ExploreRow::name).toList());
        m.put("count", Integer.toString(candidates.size()));
        m.put("last", Integer.toString(candidates.size() - 1));
        m.put("model", SafeText.printable(modelName(work)));
        // GitHub checks the repository out anew: a path relative to its root; Slurm runs on a shared file system: absolute
        String path = github ? githubPath(dir) : dir.toAbsolutePath().normalize().toString();
        boolean ignored = github && ignoredByGit(dir);
        m.put("dirShell", shellQuoted(path));
        m.put("dirYaml", Json.write(path).strip()); // a JSON string is a YAML double-quoted scalar
        m.put("dirComment", SafeText.printable(github ? path : shellQuoted(path)));
        String name = github ? "vivado.yml" : "vivado.slurm";
        Path file = work.resolve(DIR).resolve(name);
        if (!github) Files.createDirectories(work.resolve(DIR).resolve("logs"));
        WholeFile.write(file, TEMPLATES.render(github ? "vivado.yml.ftl" : "vivado.slurm.ftl", m));
        return new Written(dir.resolve(DIR).resolve(name), github, ignored);
    }

    /** {@code s} as one shell word: single-quoted, each {@code '} as {@code '\''}. */
    public static String shellQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String modelName(Path dir) throws IOException {
        Object j = Json.read(Files.readString(dir.resolve(ExploreTable.JSON)));
        return j instanceof Map<?, ?> m && m.get("model") != null ? m.get("model").toString() : "the model";
    }

    /**
     * DIR as the workflow names it ({@link #relative}); refused when it holds {@code ${{}, which
     * GitHub evaluates anywhere in a workflow, quoted or not. Explore checks it before the sweep.
     */
    public static String githubPath(Path dir) {
        String path = relative(dir);
        if (path.contains("${{")) {
            throw new IrException("--emit-jobs github: " + SafeText.printable(path) + " holds '${{', which GitHub Actions would evaluate"
                    + " as an expression; choose another -o");
        }
        return path;
    }

    /**
     * DIR relative to the root of the git repository that holds it (the nearest folder above it
     * with a .git), which is where a workflow's checkout puts it: neither the current folder nor
     * an absolute path means anything on a runner.
     */
    public static String relative(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path root = repositoryRoot(abs);
        if (root == null) {
            throw new IrException("--emit-jobs github: " + SafeText.printable(abs.toString()) + " is not inside a git repository; the"
                    + " workflow finds the explore folder in the repository it checks out: give -o a folder inside it (and commit it)");
        }
        String rel = root.relativize(abs).toString().replace('\\', '/');
        return rel.isEmpty() ? "." : rel;
    }

    public static Path repositoryRoot(Path abs) {
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) return p;
        }
        return null;
    }

    /** A folder git ignores (out/ is, in tfq's .gitignore) is never committed, so the workflow would not find it. */
    private static boolean ignoredByGit(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path root = repositoryRoot(abs);
        try {
            Process p = new ProcessBuilder("git", "-C", root.toString(), "check-ignore", "-q", "--", root.relativize(abs).toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no git here: nothing to check
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
