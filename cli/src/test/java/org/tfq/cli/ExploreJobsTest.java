package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.explore.ExploreJobs;
import org.tfq.explore.ExplorePlotTest;
import org.tfq.explore.ExploreRow;

/** The job files of tfq explore --emit-jobs, written from a hand-made table (no sweep: seconds). */
class ExploreJobsTest {

    @TempDir
    Path tmp;


    private static Path exploreFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("explore.json"), "{\"model\": \"m.onnx\", \"configurations\": []}");
        return dir;
    }

    /** GitHub evaluates ${{ }} anywhere in a workflow, so a folder name holding one would run as an expression (secrets included). */
    @Test
    void githubRefusesAFolderNameGithubWouldEvaluate() throws IOException {
        Files.createDirectories(tmp.resolve(".git"));
        Path dir = exploreFolder(tmp.resolve("x${{ secrets.GITHUB_TOKEN }}"));
        List<ExploreRow> rows = ExplorePlotTest.table().subList(0, 2);
        org.tfq.ir.IrException e = assertThrows(org.tfq.ir.IrException.class, () -> ExploreJobs.write("github", dir, rows));
        assertTrue(e.getMessage().contains("${{") && e.getMessage().contains("choose another -o"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("jobs/vivado.yml")));
        // Slurm has no such expressions: the same folder is one quoted shell word there
        assertTrue(Files.isRegularFile(ExploreJobs.write("slurm", dir, rows).file()));
    }

    /** EXPLORE is where the checkout puts the folder: relative to the repository root, whatever folder tfq ran in. */
    @Test
    void githubFindsTheFolderFromTheRepositoryRoot() throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Path dir = exploreFolder(repo.resolve("results/explore"));
        // the test runs in cli/, not in the repository: the old rule (relative to the current folder) gave an absolute path
        Path yml = ExploreJobs.write("github", dir, ExplorePlotTest.table().subList(0, 2)).file();
        String text = Files.readString(yml);
        assertTrue(text.contains("\n  EXPLORE: \"results/explore\"\n"), text);
        // a self-hosted runner needs Maven for ./tfq, and starts from a clean candidate folder
        assertTrue(text.contains("with Vivado, Java 17 and Maven"), text);
        assertTrue(text.indexOf("make -C \"$EXPLORE/pareto/${{ matrix.candidate }}\" clean")
                < text.indexOf("make -C \"$EXPLORE/pareto/${{ matrix.candidate }}\" bitstream"), text);
        assertTrue(text.contains("command -v mvn"), text);
    }

    @Test
    void githubRefusesAFolderOutsideAnyRepository() throws IOException {
        Path dir = exploreFolder(tmp.resolve("loose"));
        org.tfq.ir.IrException e = assertThrows(org.tfq.ir.IrException.class, () -> ExploreJobs.write("github", dir, ExplorePlotTest.table().subList(0, 2)));
        assertTrue(e.getMessage().contains("is not inside a git repository"), e.getMessage());
    }

    /** Refused before the sweep, not after minutes of work. */
    @Test
    void exploreRefusesAGithubFolderOutsideAnyRepositoryBeforeTheSweep() {
        String m = "ref_n12_d16_m3";
        Path dir = tmp.resolve("loose");
        Cli c = Cli.run("explore", Cli.model(m + ".onnx").toString(), "--inputs", Cli.model(m + ".inputs.npy").toString(),
                "--targets", Cli.model(m + ".targets.npy").toString(), "--emit-jobs", "github", "-o", dir.toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("is not inside a git repository"), c.err());
        assertFalse(Files.exists(dir.resolve("explore.json")));
    }

    @Test
    void githubWarnsWhenGitIgnoresTheFolder() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Process init = new ProcessBuilder("git", "init", "-q", repo.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(init.waitFor() == 0, "no git");
        Files.writeString(repo.resolve(".gitignore"), "/out/\n");
        Path dir = exploreFolder(repo.resolve("out/explore"));
        assertTrue(ExploreJobs.write("github", dir, ExplorePlotTest.table().subList(0, 2)).ignoredByGit());
        assertFalse(ExploreJobs.write("github", exploreFolder(repo.resolve("kept/explore")), ExplorePlotTest.table().subList(0, 2)).ignoredByGit());
    }

    /** A candidate that misses timing: make bitstream exits 2 after writing the reports; make report must still run, and the task fail. */
    @Test
    void slurmSummarizesTheReportsOfATimingFailure() throws Exception {
        Path dir = exploreFolder(tmp.resolve("ex"));
        Path script = ExploreJobs.write("slurm", dir, ExplorePlotTest.table().subList(0, 2)).file();
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path calls = tmp.resolve("calls.txt");
        Files.writeString(bin.resolve("make"), "#!/bin/sh\necho \"$@\" >> '" + calls + "'\ncase \"$*\" in *bitstream*) exit 2;; esac\n");
        assertTrue(bin.resolve("make").toFile().setExecutable(true));
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("SLURM_ARRAY_TASK_ID", "0");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), log);
        List<String> made = Files.readAllLines(calls);
        assertEquals(2, made.size(), made.toString());
        assertTrue(made.get(0).endsWith(" bitstream VIVADO=vivado") && made.get(1).endsWith(" report TFQ=tfq"), made.toString());
    }
}
