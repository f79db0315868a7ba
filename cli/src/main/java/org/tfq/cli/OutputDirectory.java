package org.tfq.cli;

import java.io.IOException;
import java.io.PrintWriter;
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
 * everything was written (a mount point, which cannot be moved, gets its contents swapped), all
 * under the folder's {@link OutputLock}: a failed compile leaves the previous output as it was. A folder
 * that holds files tfq did not write is never replaced unless the user says --force.
 */
final class OutputDirectory implements AutoCloseable {

    /** Written last into every output folder: lists what tfq wrote, so a later compile may replace it. */
    static final String MARKER = ".tfq-output";

    private final Path target;
    private final Path staging;
    private final OutputLock lock;
    private final boolean mountPoint;
    private final boolean marker;
    private final TreeSet<String> written = new TreeSet<>();
    private boolean committed;

    private OutputDirectory(Path target, Path staging, OutputLock lock, boolean mountPoint, boolean marker) {
        this.target = target;
        this.staging = staging;
        this.lock = lock;
        this.mountPoint = mountPoint;
        this.marker = marker;
    }

    /** Where the output is built until {@link #commit()}. */
    Path staging() {
        return staging;
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
        org.tfq.compiler.WholeFile.write(file, text);
    }

    /**
     * The output folder {@code target}, to be built in a temporary sibling. Refused: a file; a
     * folder holding files tfq did not write (unless {@code force}); and, even with
     * {@code force}, a folder that holds one of the command's {@code inputs} (the model, its
     * samples, the XDC), since replacing it would delete what the user compiled from.
     *
     * <p>Opened under the lock of {@code target} ({@link OutputLock}), held until
     * {@link #close()}; what an interrupted run left is recovered first and said on
     * {@code notes}. A symbolic link is followed (its target is replaced, the link stays); a
     * dangling one is refused. A mount point keeps its place: its contents are replaced.
     * {@code marker}: write {@link #MARKER}, which lets a later compile replace the folder.
     */
    static OutputDirectory open(Path target, boolean force, List<Path> inputs, PrintWriter notes, boolean marker) {
        return open(target, force, inputs, notes, marker, "-o");
    }

    /** As {@link #open(Path, boolean, List, PrintWriter, boolean)} for the folder of {@code option} (e.g. --dump-ir). */
    static OutputDirectory open(Path target, boolean force, List<Path> inputs, PrintWriter notes, boolean marker, String option) {
        Path abs = followLink(target, option);
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new CliException(target + ": exists and is not a directory; choose another " + option);
        refuseHoldingInputs(target, inputs, "compile", option);
        try {
            Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new CliException(abs.getParent() + ": cannot create the folder of " + target + ": " + e.getMessage());
        }
        boolean mount = OutputLock.isMountPoint(abs);
        OutputLock lock = OutputLock.acquire(abs, mount, notes);
        try {
            if (Files.isDirectory(abs) && !force && !isOurs(abs)) {
                throw new CliException(target + ": exists and holds files tfq did not write; choose another " + option + ", or pass --force to replace it");
            }
            Path staging = mount ? uniqueFolder(abs, OutputLock.INSIDE_TMP) : uniqueFolder(abs.getParent(), "." + abs.getFileName() + ".tmp-");
            return new OutputDirectory(abs, staging, lock, mount, marker);
        } catch (IOException e) {
            lock.close();
            throw new CliException(target + ": cannot create the output folder: " + e.getMessage());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** {@code target} absolute, through a symbolic link to its target; a dangling link is an error now, not after the work. */
    static Path followLink(Path target) {
        return followLink(target, "-o");
    }

    /** As {@link #followLink(Path)}, for the folder of {@code option}. */
    static Path followLink(Path target, String option) {
        Path abs = target.toAbsolutePath().normalize();
        if (!Files.isSymbolicLink(abs)) return abs;
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            String to;
            try {
                to = Files.readSymbolicLink(abs).toString();
            } catch (IOException e2) {
                to = "?";
            }
            throw new CliException(target + ": is a symbolic link to " + to + ", which does not exist; create that folder or choose another " + option);
        }
    }

    /**
     * A new folder {@code prefix<pid>-<n>} in {@code dir}, made with the umask's permissions (a
     * temporary directory would be rwx------, and become the output folder).
     */
    private static Path uniqueFolder(Path dir, String prefix) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int n = 0; ; n++) {
            try {
                return Files.createDirectory(dir.resolve(prefix + pid + "-" + n));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another thread of this process (explore's candidates): the next number
            }
        }
    }

    /**
     * Refuses an output folder {@code target} that holds one of the command's {@code inputs}
     * of tfq {@code command} (null entries are skipped), even with --force: replacing it would delete what the user
     * works from.
     */
    static void refuseHoldingInputs(Path target, List<Path> inputs, String command) {
        refuseHoldingInputs(target, inputs, command, "-o");
    }

    /** As {@link #refuseHoldingInputs(Path, List, String)}, for the folder of {@code option}. */
    static void refuseHoldingInputs(Path target, List<Path> inputs, String command, String option) {
        Path abs = real(target);
        for (Path in : inputs) {
            if (in != null && real(in).startsWith(abs)) {
                throw new CliException(target + ": holds " + in + ", an input of this " + command + ", and would be replaced; choose another " + option);
            }
        }
    }

    /** The path with symbolic links resolved as far as it exists, so a link cannot hide an input inside OUTDIR. */
    static Path real(Path p) {
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
        try {
            return OutputLock.entries(dir).isEmpty() || Files.isRegularFile(dir.resolve(MARKER));
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
        Path p = file(relative);
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw writeFailed(p, e);
        }
    }

    /**
     * An I/O error of a command writing {@code target}: one that names its file is kept (tfq's
     * error handling prints it); one that does not (a full disk: "No space left on device") is
     * said with the output folder it was writing.
     */
    static IOException notWritten(Path target, IOException e) {
        if (e instanceof java.nio.file.FileSystemException) return e;
        return new IOException(target + ": the output was not written (" + e.getMessage() + "); " + target
                + (Files.exists(target) ? " is left as it was" : " was not created"), e);
    }

    /**
     * A failed write as an error that names the file: a full disk says only "No space left on
     * device". The previous output is untouched (the new one was being built beside it).
     */
    CliException writeFailed(Path p, Exception e) {
        String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return new CliException(target.resolve(staging.relativize(p)) + ": cannot write (" + why + "); " + target
                + (Files.exists(target) ? " is left as it was" : " was not created"));
    }

    /**
     * Moves the finished output into place, replacing the previous one: two renames (the
     * previous output aside, the new one in). In a mount point, which cannot be renamed, its
     * contents are swapped instead: the previous ones into {@code .tfq-moving-*}, renamed
     * {@code .tfq-old-*}, then the new ones in, the marker last ({@link OutputLock} finishes or
     * undoes an interrupted swap).
     */
    void commit() throws IOException {
        if (marker) Files.writeString(staging.resolve(MARKER), String.join("\n", written) + "\n", StandardCharsets.UTF_8);
        if (mountPoint) {
            commitInside();
            return;
        }
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

    private void commitInside() throws IOException {
        String id = ProcessHandle.current().pid() + "-" + staging.getFileName();
        Path moving = Files.createDirectory(target.resolve(OutputLock.INSIDE_MOVING + id));
        OutputLock.moveEntries(target, moving);
        Path old = target.resolve(OutputLock.INSIDE_OLD + id);
        Files.move(moving, old, StandardCopyOption.ATOMIC_MOVE);
        OutputLock.moveEntries(staging, target);
        committed = true;
        delete(staging);
        delete(old);
    }

    @Override
    public void close() {
        try {
            if (!committed) delete(staging);
        } finally {
            lock.close();
        }
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
