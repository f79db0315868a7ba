package org.tfq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One tfq at a time on an output folder OUT: an exclusive lock on the file {@code .OUT.lock}
 * beside it (inside it, {@code OUT/.tfq-lock}, when OUT is a mount point or its parent is not
 * writable), held by compile, simulate and explore for their whole run. A second tfq waits and
 * says so. Under the lock no other tfq is writing, so what an interrupted one left
 * ({@code .OUT.tmp-*}, {@code .OUT.old-*}, their {@code .tfq-*} forms inside a mount point) is
 * recovered or removed, and that is said too.
 */
final class OutputLock implements AutoCloseable {

    /** Inside a mount point OUT: the lock, staging and previous-output names (never part of the output). */
    static final String INSIDE_PREFIX = ".tfq-";
    static final String INSIDE_LOCK = INSIDE_PREFIX + "lock";
    static final String INSIDE_TMP = INSIDE_PREFIX + "tmp-";
    static final String INSIDE_MOVING = INSIDE_PREFIX + "moving-";
    static final String INSIDE_OLD = INSIDE_PREFIX + "old-";
    /** A simulation's private working folder inside OUT (tfq simulate); a killed one leaves it. */
    static final String INSIDE_SIM = INSIDE_PREFIX + "sim-";

    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code out} (absolute, symbolic links resolved), waiting while another tfq holds it
     * (one line on {@code notes} says so), then recovers what an interrupted run left.
     */
    static OutputLock acquire(Path out, boolean mountPoint, PrintWriter notes) {
        return acquire(out, mountPoint, notes, false);
    }

    /**
     * {@link #acquire(Path, boolean, PrintWriter)}; {@code shared}: a lock other shared holders
     * (simulations, each building in a folder of its own) may hold at the same time, but not an
     * exclusive one (a compile). Recovery needs the folder to itself: a shared holder recovers only
     * when it finds no one else there.
     */
    static OutputLock acquire(Path out, boolean mountPoint, PrintWriter notes, boolean shared) {
        Path file = lockFile(out, mountPoint);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CliException(file + ": cannot create the lock file of " + out + ": " + e.getMessage());
        }
        boolean said = false;
        // a shared holder may find the lock briefly exclusive: another simulation starting, alone
        // for a moment to recover leftovers; only a longer wait (a compile) is worth saying
        long sayAfter = System.nanoTime() + (shared ? 1_000_000_000L : 0);
        try {
            if (shared) {
                FileLock alone = tryLock(ch, false);
                if (alone != null) {
                    try {
                        recover(out, mountPoint, notes);
                    } finally {
                        alone.release();
                    }
                }
            }
            while (true) {
                FileLock l = tryLock(ch, shared);
                if (l != null) {
                    OutputLock held = new OutputLock(ch, l);
                    if (!shared) recover(out, mountPoint, notes);
                    return held;
                }
                if (!said && System.nanoTime() >= sayAfter) {
                    say(notes, "waiting for another tfq working on " + out + " (lock " + file + ")");
                    said = true;
                }
                Thread.sleep(shared && !said ? 20 : 200);
            }
        } catch (IOException e) {
            close(ch);
            throw new CliException(file + ": cannot lock " + out + ": " + e.getMessage());
        } catch (InterruptedException e) {
            close(ch);
            Thread.currentThread().interrupt();
            throw new CliException(out + ": interrupted while waiting for another tfq working on it");
        }
    }

    /** The lock if free now, else null; a lock held by another thread of this JVM counts as held (the JVM refuses overlaps). */
    private static FileLock tryLock(FileChannel ch, boolean shared) throws IOException {
        try {
            return ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** Beside OUT when its parent is writable and OUT is not a mount point; else inside OUT. */
    static Path lockFile(Path out, boolean mountPoint) {
        Path parent = out.getParent();
        if (!mountPoint && parent != null && Files.isWritable(parent)) return parent.resolve("." + out.getFileName() + ".lock");
        return out.resolve(INSIDE_LOCK);
    }

    /**
     * Whether {@code dir} is an existing folder that is a mount point (as with docker -v), which
     * cannot be renamed: listed in /proc/self/mountinfo (a bind mount of the same file system has
     * its parent's device), or on another device than its parent.
     */
    static boolean isMountPoint(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        Path parent = dir.getParent();
        if (parent == null) return true;
        try {
            String real = dir.toRealPath().toString();
            Path mountinfo = Path.of("/proc/self/mountinfo");
            if (Files.isReadable(mountinfo)) {
                for (String line : Files.readAllLines(mountinfo)) {
                    String[] f = line.split(" ");
                    if (f.length > 4 && unescape(f[4]).equals(real)) return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no mountinfo (not Linux): the device comparison below
        }
        try {
            return !Files.getAttribute(dir, "unix:dev").equals(Files.getAttribute(parent, "unix:dev"));
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            try {
                return !Files.getFileStore(dir).equals(Files.getFileStore(parent));
            } catch (IOException e2) {
                return false;
            }
        }
    }

    /**
     * What a killed compile leaves: temporary folders (deleted), and the previous output moved
     * aside but not replaced (put back when OUT is missing, else deleted). Inside a mount point,
     * a half-done swap of contents is undone or finished.
     */
    private static void recover(Path out, boolean mountPoint, PrintWriter notes) throws IOException {
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(INSIDE_SIM)).toList()) {
                    OutputDirectory.delete(p);
                    say(notes, "removed " + p + ", left by an interrupted tfq simulate");
                }
            }
        }
        if (mountPoint) {
            recoverInside(out, notes);
            return;
        }
        Path parent = out.getParent();
        if (parent == null) return;
        // exactly the names compile gives them (.OUT.tmp-<pid>-<n>, .OUT.old-<pid>; a random number before the lock):
        // a prefix alone would also match the folders of an output named OUT.tmp-x
        String name = java.util.regex.Pattern.quote(out.getFileName().toString());
        java.util.regex.Pattern tmp = java.util.regex.Pattern.compile("\\." + name + "\\.tmp-\\d+(-\\d+)?");
        java.util.regex.Pattern old = java.util.regex.Pattern.compile("\\." + name + "\\.old-\\d+");
        List<Path> temps = new ArrayList<>(), olds = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (tmp.matcher(n).matches()) temps.add(p);
                else if (old.matcher(n).matches()) olds.add(p);
            }
        }
        for (Path p : temps) {
            OutputDirectory.delete(p);
            say(notes, "removed " + p + ", left by an interrupted tfq");
        }
        olds.sort(Comparator.comparing(OutputLock::modified).reversed());
        if (!olds.isEmpty() && !Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Path back = olds.remove(0);
            Files.move(back, out, StandardCopyOption.ATOMIC_MOVE);
            say(notes, "restored " + out + " from " + back + ": a tfq was interrupted while replacing it");
        }
        for (Path p : olds) {
            OutputDirectory.delete(p);
            say(notes, "removed " + p + ", the previous output an interrupted tfq had replaced");
        }
    }

    /** The swap of contents inside a mount point: see {@link OutputDirectory#commit()}. */
    private static void recoverInside(Path out, PrintWriter notes) throws IOException {
        if (!Files.isDirectory(out)) return;
        List<Path> special = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) if (isSpecial(p.getFileName().toString())) special.add(p);
        }
        for (Path p : special) {
            String n = p.getFileName().toString();
            if (n.startsWith(INSIDE_TMP)) {
                OutputDirectory.delete(p);
                say(notes, "removed " + p + ", left by an interrupted tfq");
            } else if (n.startsWith(INSIDE_MOVING)) {
                // interrupted while moving the previous output aside: move it back
                moveEntries(p, out);
                OutputDirectory.delete(p);
                say(notes, "restored the previous output in " + out + ": a tfq was interrupted while replacing it");
            } else if (n.startsWith(INSIDE_OLD)) {
                if (!Files.isRegularFile(out.resolve(OutputDirectory.MARKER))) {
                    // the new output was not complete (its marker moves last): the previous one back
                    for (Path e : entries(out)) OutputDirectory.delete(e);
                    moveEntries(p, out);
                    say(notes, "restored the previous output in " + out + ": a tfq was interrupted while replacing it");
                }
                OutputDirectory.delete(p);
            }
        }
    }

    /** The entries of {@code dir} that are output, not tfq's lock, staging or previous output. */
    static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !isSpecial(p.getFileName().toString())).sorted().toList();
        }
    }

    /** A mountinfo path: space, tab, newline and backslash are written as octal escapes (\\040). */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** tfq's lock, staging or previous output inside a mount point (the marker .tfq-output is output). */
    private static boolean isSpecial(String name) {
        return name.equals(INSIDE_LOCK) || name.startsWith(INSIDE_TMP) || name.startsWith(INSIDE_MOVING) || name.startsWith(INSIDE_OLD)
                || name.startsWith(INSIDE_SIM);
    }

    /** Moves every output entry of {@code from} into {@code to}, the marker last: OUT holds a marker only once it is whole. */
    static void moveEntries(Path from, Path to) throws IOException {
        List<Path> all = new ArrayList<>(entries(from));
        Path marker = from.resolve(OutputDirectory.MARKER);
        if (all.remove(marker)) all.add(marker);
        for (Path e : all) Files.move(e, to.resolve(e.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    private static void say(PrintWriter notes, String message) {
        if (notes == null) return;
        notes.println("tfq: " + org.tfq.ir.io.SafeText.printable(message));
        notes.flush();
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // the lock goes with the channel either way
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(channel);
    }
}
