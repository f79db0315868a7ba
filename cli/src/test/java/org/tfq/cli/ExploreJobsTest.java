package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job files of tfq explore --emit-jobs, written from a hand-made table (no sweep: seconds). */
class ExploreJobsTest {

    @TempDir
    Path tmp;

    static final PrintWriter QUIET = new PrintWriter(new StringWriter());

    private static Path exploreFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("explore.json"), "{\"model\": \"m.onnx\", \"configurations\": []}");
        return dir;
    }

    /** GitHub evaluates ${{ }} anywhere in a workflow, so a folder name holding one would run as an expression (secrets included). */
    @Test
    void githubRefusesAFolderNameGithubWouldEvaluate() throws IOException {
        Path dir = exploreFolder(tmp.resolve("x${{ secrets.GITHUB_TOKEN }}"));
        List<ExploreRow> rows = ExplorePlotTest.table().subList(0, 2);
        CliException e = assertThrows(CliException.class, () -> ExploreJobs.write("github", dir, rows, QUIET));
        assertTrue(e.getMessage().contains("${{") && e.getMessage().contains("choose another -o"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("jobs/vivado.yml")));
        // Slurm has no such expressions: the same folder is one quoted shell word there
        assertTrue(Files.isRegularFile(ExploreJobs.write("slurm", dir, rows, QUIET)));
    }
}
