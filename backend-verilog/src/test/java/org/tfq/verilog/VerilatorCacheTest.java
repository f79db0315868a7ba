package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Verilator runtime cache holds objects every build links and runs: it lives in the user's
 * cache folder, and a cache someone else could have written to is not used (issue 19: a
 * {@code verilated.o} planted in the old shared {@code /tmp/tfq-verilator-runtime-<user>} ran as
 * the next user of {@code tfq simulate}).
 */
class VerilatorCacheTest {

    @Test
    void theCacheIsInTheUsersCacheFolderNotASharedTemporaryOne() {
        assertEquals(Path.of("/x/cache/tfq/verilator-runtime"), Verilator.defaultCacheRoot("/x/cache", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/tfq/verilator-runtime"), Verilator.defaultCacheRoot(null, "/home/u"));
        // XDG: a relative XDG_CACHE_HOME is invalid and ignored
        assertEquals(Path.of("/home/u/.cache/tfq/verilator-runtime"), Verilator.defaultCacheRoot("rel", "/home/u"));
        assertNull(Verilator.defaultCacheRoot(null, null));
    }

    @Test
    void aCacheAnotherUserCouldWriteIsUnsafe() throws Exception {
        Path root = Bench.workDir("verilator-cache-modes");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Path key = Files.createDirectory(root.resolve("k"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path o = Files.writeString(key.resolve("verilated.o"), "x");
        Files.setPosixFilePermissions(o, PosixFilePermissions.fromString("rw-r--r--"));
        assertNull(Verilator.unsafe(root, key));

        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(String.valueOf(Verilator.unsafe(root, key)).endsWith("verilator-cache-modes is writable by others (mode rwxrwxrwx)"),
                Verilator.unsafe(root, key));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rwxrwx---"));
        assertTrue(String.valueOf(Verilator.unsafe(root, key)).contains("is writable by others"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(o, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(String.valueOf(Verilator.unsafe(root, key)).contains("verilated.o is writable by others"));
        Files.setPosixFilePermissions(o, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(key.resolve("verilated_timing.o"), Path.of("/dev/null"));
        assertTrue(String.valueOf(Verilator.unsafe(root, key)).contains("is a symbolic link"));
        Files.delete(link);
        assertNull(Verilator.unsafe(root, key));

        // another owner: only root can make one
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "not root: cannot give a file to another user");
        UserPrincipal nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(o, nobody);
        assertTrue(String.valueOf(Verilator.unsafe(root, key)).contains("verilated.o is owned by nobody"), Verilator.unsafe(root, key));
    }

    /** Objects planted in a world-writable cache are not linked: the build compiles its own runtime and passes. */
    @Test
    void aPlantedRuntimeInAWorldWritableCacheIsNotLinked() throws Exception {
        Verilator probe = new Verilator(null);
        Assumptions.assumeTrue(probe.isAvailable(), "verilator is not installed");
        Path root = Bench.workDir("verilator-cache-planted");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        Verilator v = new Verilator(root);
        Path planted = Files.createDirectories(root.resolve(v.cacheKey(Duration.ofSeconds(30))));
        for (String o : List.of("verilated.o", "verilated_timing.o", "verilated_threads.o")) {
            Files.writeString(planted.resolve(o), "not an object file: linking this fails the build\n");
        }
        Path dir = Bench.workDir("verilator-cache-planted-run");
        Path tb = Fixtures.copy("sim_pass.v", dir);
        new VectorFile(64, 64).add(1, 2).add(41, 42).write(dir.resolve("fixture.txt"));
        SimResult r = v.run(dir, List.of(tb), "sim_pass", Duration.ofMinutes(2));
        assertTrue(r.passed(), r::describe);
        assertEquals(new SimResult.Summary(2, 0), r.summary().orElseThrow());
    }
}
