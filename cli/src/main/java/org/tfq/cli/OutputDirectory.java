package org.tfq.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A compile's output folder, built in a temporary sibling and moved into place only when
 * everything was written: a failed compile leaves the previous output as it was. A folder
 * that holds files tfq did not write is never replaced unless the user says --force.
 */
final class OutputDirectory implements AutoCloseable {

    /** Written last into every output folder: lists what tfq wrote, so a later compile may replace it. */
    static final String MARKER = ".tfq-output";

    private final Path target;
    private final Path staging;
    private final TreeSet<String> written = new TreeSet<>();
    private boolean committed;

    private OutputDirectory(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /** Checks that {@code dir}, given as the output folder of tfq compile, exists and is a folder. */
    static void requireFolder(Path dir) {
        if (!Files.exists(dir)) throw new CliException(dir + ": no such folder (the output folder of tfq compile)");
        if (!Files.isDirectory(dir)) throw new CliException(dir + ": is not a folder (the output folder of tfq compile)");
    }

    /**
     * Writes {@code text} to {@code file} (UTF-8) whole or not at all, through a temporary sibling
     * moved into place: a reader never sees half a file.
     */
    static void writeWhole(Path file, String text) throws IOException {
        writeWhole(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #writeWhole(Path, String)} for bytes (an image). */
    static void writeWhole(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            readableByAll(tmp);
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A temporary file is private (rw-------); the file it becomes is an ordinary output (rw-r--r--). */
    static void readableByAll(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own defaults apply
        }
    }

    /**
     * The output folder {@code target}, to be built in a temporary sibling. Refused: a file; a
     * folder holding files tfq did not write (unless {@code force}); and, even with
     * {@code force}, a folder that holds one of the command's {@code inputs} (the model, its
     * samples, the XDC), since replacing it would delete what the user compiled from.
     */
    static OutputDirectory open(Path target, boolean force, List<Path> inputs) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new CliException(target + ": exists and is not a directory; choose another -o");
        refuseHoldingInputs(target, inputs, "compile");
        if (Files.isDirectory(abs) && !force && !isOurs(abs)) {
            throw new CliException(target + ": exists and holds files tfq did not write; choose another -o, or pass --force to replace it");
        }
        try {
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
            return new OutputDirectory(abs, staging);
        } catch (IOException e) {
            throw new CliException(target + ": cannot create the output folder: " + e.getMessage());
        }
    }

    /**
     * Refuses an output folder {@code target} that holds one of the command's {@code inputs}
     * of tfq {@code command} (null entries are skipped), even with --force: replacing it would delete what the user
     * works from.
     */
    static void refuseHoldingInputs(Path target, List<Path> inputs, String command) {
        Path abs = real(target);
        for (Path in : inputs) {
            if (in != null && real(in).startsWith(abs)) {
                throw new CliException(target + ": holds " + in + ", an input of this " + command + ", and would be replaced; choose another -o");
            }
        }
    }

    /** The path with symbolic links resolved as far as it exists, so a link cannot hide an input inside OUTDIR. */
    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        for (Path existing = abs; existing != null; existing = existing.getParent()) {
            try {
                return existing.toRealPath().resolve(existing.relativize(abs));
            } catch (IOException e) {
                // not there (yet): try its parent
            }
        }
        return abs;
    }

    private static boolean isOurs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty() || Files.isRegularFile(dir.resolve(MARKER));
        } catch (IOException e) {
            return false;
        }
    }

    /** A path inside the output for {@code relative}; its parent folders are created. */
    Path file(String relative) {
        Path p = staging.resolve(relative).normalize();
        if (!p.startsWith(staging)) throw new IllegalArgumentException("output path leaves the output folder: " + relative);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written.add(staging.relativize(p).toString().replace('\\', '/'));
        return p;
    }

    void write(String relative, String text) throws IOException {
        Files.writeString(file(relative), text, StandardCharsets.UTF_8);
    }

    /** Moves the finished output into place, replacing the previous one. */
    void commit() throws IOException {
        Files.writeString(staging.resolve(MARKER), String.join("\n", written) + "\n", StandardCharsets.UTF_8);
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // the previous output back under its name
            throw e;
        }
        committed = true;
        if (old != null) delete(old);
    }

    @Override
    public void close() {
        if (!committed) delete(staging);
    }

    static void delete(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path q : all) Files.deleteIfExists(q);
        } catch (IOException e) {
            // a leftover temporary folder is harmless; the output itself is already in place or untouched
        }
    }

}
