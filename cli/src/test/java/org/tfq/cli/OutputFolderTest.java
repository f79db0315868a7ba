package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output folder of tfq compile against interrupted and concurrent runs, links, mount points,
 * the umask and a full disk (issue 19, items 7 and 10). Leftovers are planted under the names a
 * killed compile leaves them (.OUT.tmp-*, .OUT.old-PID), since killing a compile at the right
 * instant would make the test depend on timing.
 */
class OutputFolderTest {

    @TempDir
    Path tmp;


    static String[] compileArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("compile", Cli.model("qat_n12_d16_m3_b4_qcdq.onnx").toString(), "--vectors", "2",
                "--lanes", "4", "-o", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static List<String> siblings(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void leftoversOfAKilledCompileAreRemovedAndSaid() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(compileArgs(out)).exit());
        // a compile killed while building, and one killed after moving the previous output aside
        Files.createDirectories(tmp.resolve(".out.tmp-4242-0/rtl"));
        Files.writeString(tmp.resolve(".out.tmp-4242-0/rtl/tfq_top.v"), "half\n");
        Files.createDirectories(tmp.resolve(".out.old-4343"));
        Files.writeString(tmp.resolve(".out.old-4343/report.json"), "{}\n");
        // the folders of another output whose name starts like these are not leftovers of out
        Files.createDirectories(tmp.resolve(".out.tmp-x.tmp-77-0"));
        Cli c = Cli.run(compileArgs(out));
        assertEquals(0, c.exit(), c.err());
        assertEquals(List.of(".out.lock", ".out.tmp-x.tmp-77-0", "out"), siblings(tmp));
        assertTrue(c.err().contains("removed " + tmp.resolve(".out.tmp-4242-0") + ", left by an interrupted tfq"), c.err());
        assertTrue(c.err().contains("removed " + tmp.resolve(".out.old-4343")), c.err());
    }

    /** Killed between its two renames: OUT is missing, the previous output sits in .OUT.old-PID; the next tfq puts it back. */
    @Test
    void previousOutputMovedAsideIsRestored() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(compileArgs(out)).exit());
        Path aside = tmp.resolve(".out.old-4444");
        Files.move(out, aside);
        // simulate is the next command: it finds the output where it was
        Cli s = Cli.run("simulate", out.toString(), "--timeout", "0.001");
        assertTrue(s.err().contains("restored " + out + " from " + aside), s.err());
        assertTrue(Files.isRegularFile(out.resolve("report.json")));
        assertEquals(List.of(".out.lock", "out"), siblings(tmp));
    }

    /** A second compile on the same OUT waits for the lock (held here by another process), then replaces the output; nothing left over. */
    @Test
    void aSecondTfqWaitsForTheLockHeldByAnotherProcess() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(compileArgs(out)).exit());
        // python's lockf is the same POSIX record lock Java's FileLock takes
        Process holder = new ProcessBuilder("python3", "-c",
                "import fcntl,sys,time\nf=open(sys.argv[1],'w')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(2)",
                tmp.resolve(".out.lock").toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", r.readLine());
        long t0 = System.nanoTime();
        Cli c = Cli.run(compileArgs(out, "--force"));
        double waited = (System.nanoTime() - t0) / 1e9;
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("waiting for another tfq working on " + out), c.err());
        assertTrue(waited > 1.0, "did not wait: " + waited + " s");
        assertEquals(List.of(".out.lock", "out"), siblings(tmp));
    }

    /** Two compiles of one OUT at once in this process: one after the other, no .OUT.old-* or .OUT.tmp-* left. */
    @Test
    void twoCompilesAtOnceLeaveOneOutputAndNoLeftovers() throws Exception {
        Path out = tmp.resolve("out");
        CompletableFuture<Cli> a = CompletableFuture.supplyAsync(() -> Cli.run(compileArgs(out)), Cli.THREADS);
        CompletableFuture<Cli> b = CompletableFuture.supplyAsync(() -> Cli.run(compileArgs(out)), Cli.THREADS);
        assertEquals(0, a.get().exit(), a.get().err());
        assertEquals(0, b.get().exit(), b.get().err());
        assertEquals(List.of(".out.lock", "out"), siblings(tmp));
        assertTrue(Files.isRegularFile(out.resolve(OutputDirectory.MARKER)));
        assertTrue((a.get().err() + b.get().err()).contains("waiting for another tfq working on " + out), "they did not overlap");
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Cli c = Cli.run(compileArgs(link));
        assertEquals(0, c.exit(), c.err());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a folder");
        assertTrue(Files.isRegularFile(real.resolve("report.json")), "the output is not in the link's target");
        assertEquals(0, Cli.run(compileArgs(link)).exit());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(List.of(".real.lock", "link", "real"), siblings(tmp));
    }

    @Test
    void aDanglingSymbolicLinkIsRefusedBeforeAnyWork() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("nowhere"));
        Cli c = Cli.run(compileArgs(link));
        c.assertOneLineError();
        assertEquals("tfq: error: " + link + ": is a symbolic link to " + tmp.resolve("nowhere")
                + ", which does not exist; create that folder or choose another -o", c.err().strip());
        assertEquals(List.of("link"), siblings(tmp));
    }

    /** The output folder gets the permissions any folder made now gets (the umask), not a temporary folder's rwx------. */
    @Test
    void theOutputFolderHonoursTheUmask() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(compileArgs(out)).exit());
        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("plain"))));
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    /** /dev/full fails every write with ENOSPC, as a full disk does: the error names the file, the output is not touched. */
    @Test
    void aFullDiskNamesTheFile() throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full");
        Path out = tmp.resolve("out");
        StringWriter notes = new StringWriter();
        try (OutputDirectory o = OutputDirectory.open(out, false, List.of(), new PrintWriter(notes), true)) {
            Path f = o.file("report.json");
            Files.createSymbolicLink(f, Path.of("/dev/full"));
            CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class, () -> o.write("report.json", "{}"));
            assertEquals(out.resolve("report.json") + ": cannot write (No space left on device); " + out + " was not created", e.getMessage());
        }
        IOException plain = OutputDirectory.notWritten(out, new IOException("No space left on device"));
        assertEquals(out + ": the output was not written (No space left on device); " + out + " was not created", plain.getMessage());
        assertEquals(List.of(".out.lock"), siblings(tmp));
    }

    @Test
    void anXdcThatIsNotARegularFileSaysSo() {
        Cli c = Cli.run(compileArgs(tmp.resolve("out"), "--xdc", "/dev/zero"));
        c.assertOneLineError();
        assertEquals("tfq: error: --xdc: /dev/zero: not a regular file (a device or a pipe), not an XDC file", c.err().strip());
    }

    /**
     * OUT a mount point (docker -v): it cannot be renamed, so its contents are replaced. Run in a
     * user and mount namespace (unshare -rm) with a tmpfs on OUT; compiled twice, then listed.
     */
    @Test
    void aMountPointKeepsItsPlaceAndGetsNewContents() throws Exception {
        mountAndCompileTwice("mount -t tmpfs none");
    }

    /** A bind mount of a folder on the same file system: the same device as its parent, and still not renamable. */
    @Test
    void aBindMountOfTheSameFileSystemToo() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src dir"));
        mountAndCompileTwice("mount --bind '" + src + "'");
    }

    private void mountAndCompileTwice(String mount) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "no unshare");
        Path out = Files.createDirectories(tmp.resolve("mnt"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String tfq = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' org.tfq.cli.Main";
        String[] args = compileArgs(out);
        StringBuilder compile = new StringBuilder(tfq);
        for (String a : args) compile.append(" '").append(a).append("'");
        String script = mount + " '" + out + "' || exit 99\n" + compile + " || exit 1\n" + compile + " || exit 2\n"
                + "ls -A '" + out + "'\n";
        Process p = new ProcessBuilder("unshare", "-rm", "sh", "-c", script).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        Assumptions.assumeTrue(p.exitValue() != 99 && !text.contains("unshare: "), "cannot mount here: " + text);
        assertEquals(0, p.exitValue(), text);
        List<String> listed = text.lines().filter(l -> !l.startsWith(" ") && !l.startsWith("qat_") && !l.startsWith("tfq: ")).toList();
        assertTrue(listed.contains("report.json") && listed.contains(OutputDirectory.MARKER) && listed.contains(".tfq-lock"), text);
        assertFalse(listed.stream().anyMatch(l -> l.startsWith(".tfq-tmp-") || l.startsWith(".tfq-old-") || l.startsWith(".tfq-moving-")), text);
    }

    /**
     * A swap of contents inside a mount point cut short, at each of its steps (planted: the
     * recovery reads only the names, so a plain folder stands in for the mount point). Moving the
     * previous output aside: it goes back. New output moved in without its marker (moved last):
     * the previous output goes back. Marker in place: the new output stays, the previous goes.
     */
    @Test
    void aSwapInsideAMountPointCutShortIsUndoneOrFinished() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mnt"));
        // 1. killed while moving the previous output aside
        Files.writeString(out.resolve("ir.txt"), "old 1\n");
        Files.createDirectories(out.resolve(".tfq-moving-1-x/rtl"));
        Files.writeString(out.resolve(".tfq-moving-1-x/report.json"), "old\n");
        Files.writeString(out.resolve(".tfq-moving-1-x/" + OutputDirectory.MARKER), "report.json\n");
        Files.createDirectories(out.resolve(".tfq-tmp-1-0"));
        StringWriter notes = new StringWriter();
        OutputLock.acquire(out, true, new PrintWriter(notes)).close();
        assertEquals(List.of(".tfq-lock", OutputDirectory.MARKER, "ir.txt", "report.json", "rtl"), siblings(out));
        assertTrue(notes.toString().contains("restored the previous output in " + out), notes.toString());

        // 2. killed while moving the new output in: no marker yet
        Path old = Files.createDirectories(out.resolve(".tfq-old-2-x"));
        for (String f : List.of(OutputDirectory.MARKER, "ir.txt", "report.json", "rtl")) Files.move(out.resolve(f), old.resolve(f));
        Files.writeString(out.resolve("ir.txt"), "new, half\n");
        OutputLock.acquire(out, true, new PrintWriter(notes)).close();
        assertEquals(List.of(".tfq-lock", OutputDirectory.MARKER, "ir.txt", "report.json", "rtl"), siblings(out));
        assertEquals("old 1\n", Files.readString(out.resolve("ir.txt")));

        // 3. killed after the marker, before the previous output was deleted
        Path old3 = Files.createDirectories(out.resolve(".tfq-old-3-x"));
        Files.writeString(old3.resolve("stale.txt"), "old\n");
        Files.writeString(out.resolve("ir.txt"), "new\n");
        OutputLock.acquire(out, true, new PrintWriter(notes)).close();
        assertEquals(List.of(".tfq-lock", OutputDirectory.MARKER, "ir.txt", "report.json", "rtl"), siblings(out));
        assertEquals("new\n", Files.readString(out.resolve("ir.txt")));
    }
}
