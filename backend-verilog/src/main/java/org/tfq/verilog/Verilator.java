package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tfq.ir.io.SafeText;

/**
 * Verilator 5 as a simulator. The build is what {@code verilator --binary} does ({@code --main
 * --exe --timing}, so a testbench may make its clock with delays, then make), in two steps so that
 * the Verilator runtime need not be compiled every time: verilate into {@code workDir/verilator/},
 * drop in the runtime objects ({@code verilated.o}, {@code verilated_timing.o},
 * {@code verilated_threads.o}) from a cache, then make, which compiles only the model. The
 * runtime is about three quarters of the g++ time of a small testbench (several seconds on two
 * cores). The cache, {@code <cacheRoot>/<key>/}, is private to the user (created 0700; a cache
 * that is not owned by the user, or writable by anyone else, is not used), keyed by the Verilator and g++ versions and
 * the options, filled once by building a one-line design, shared between processes through a
 * file lock and an atomic rename; if it cannot be filled the build just compiles the runtime.
 *
 * <p>Uninitialised state is randomised ({@code --x-assign unique --x-initial unique} and
 * {@code +verilator+rand+reset+2} with a fixed seed), the closest Verilator comes to Icarus' X:
 * a register read before it is reset or written gives an arbitrary but reproducible value, so a
 * missing reset shows up as a mismatch rather than as a lucky zero.
 */
public final class Verilator extends AbstractSimulator {

    /** Seed of Verilator's random initial values: fixed, so every run is the same. */
    public static final int SEED = 1;

    /** Options of every build (and of the cached runtime, which must match them). */
    static final List<String> OPTIONS = List.of("--cc", "--main", "--exe", "--timing",
            "--x-assign", "unique", "--x-initial", "unique",
            // testbenches run a few hundred thousand cycles at most: compile fast rather than well
            "-CFLAGS", "-O1");

    private static final Map<String, Path> RUNTIMES = new ConcurrentHashMap<>();

    private final Path cacheRoot;

    /** Runtime cache in the user's cache folder ({@link #defaultCacheRoot}). */
    public Verilator() {
        this(defaultCacheRoot(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home")));
    }

    /**
     * {@code $XDG_CACHE_HOME/tfq/verilator-runtime}, else {@code ~/.cache/tfq/verilator-runtime}:
     * a folder only the user can write, not a predictable name in a shared temporary folder where
     * another user could plant objects that the next build links and runs. Null (no cache) without
     * a home.
     */
    static Path defaultCacheRoot(String xdgCacheHome, String home) {
        if (xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()) {
            return Path.of(xdgCacheHome, "tfq", "verilator-runtime");
        }
        if (home == null || home.isBlank() || home.equals("?")) return null;
        return Path.of(home, ".cache", "tfq", "verilator-runtime");
    }

    /** Runtime cache under {@code cacheRoot}; null compiles the runtime in every build. */
    public Verilator(Path cacheRoot) {
        this(cacheRoot, null);
    }

    /** Tools from the directories of {@code searchPath} (a PATH string; null: this process' PATH). */
    Verilator(Path cacheRoot, String searchPath) {
        super(searchPath);
        this.cacheRoot = cacheRoot == null ? null : cacheRoot.toAbsolutePath();
    }

    @Override
    public String name() {
        return "verilator";
    }

    @Override
    List<String> requiredTools() {
        // verilator's builds run make and g++; the Debian package does not depend on them
        return List.of("verilator", "make", "g++");
    }

    @Override
    String aptPackages() {
        return "verilator g++ make";
    }

    /** The oldest Verilator with {@code --timing} and {@code --main}, which every build uses. */
    static final int[] MIN_VERSION = {5, 2};

    /** Also refuses a Verilator older than {@link #MIN_VERSION}, which would fail on its options. */
    @Override
    void requireAvailable() {
        super.requireAvailable();
        String problem = tooOld(versionLine("verilator"));
        if (problem != null) throw new SimulatorNotFoundException(problem);
    }

    /**
     * What is wrong with the Verilator that prints {@code version} ({@code verilator --version},
     * e.g. {@code Verilator 5.006 2023-01-22 rev (Debian 5.006-3)}), or null when it is new enough
     * or says something this cannot read (the build's own error says more then).
     */
    static String tooOld(String version) {
        java.util.regex.Matcher m = version == null ? null : java.util.regex.Pattern.compile("^Verilator (\\d+)\\.(\\d+)").matcher(version.strip());
        if (m == null || !m.find()) return null;
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        if (major > MIN_VERSION[0] || major == MIN_VERSION[0] && minor >= MIN_VERSION[1]) return null;
        return String.format("Verilator %d.%03d found (%s); tfq's testbenches need Verilator %d.%03d or newer (--timing, --main):"
                + " install it from Ubuntu 24.04, Debian 12 or later, or build it from source, or use --simulator iverilog",
                major, minor, SafeText.printable(version.strip()), MIN_VERSION[0], MIN_VERSION[1]);
    }

    /** The first line {@code tool --version} prints, or null if it fails. */
    private String versionLine(String tool) {
        // the tool of this search path (ProcessBuilder looks a bare name up on this process' PATH)
        Path exe = ProcessRunner.onPath(tool, searchPath);
        if (exe == null) return null;
        try {
            Path tmp = Files.createTempDirectory("tfq-verilator-version");
            try {
                ProcessRunner.Outcome o = exec(List.of(exe.toString(), "--version"), tmp, Duration.ofSeconds(30), tmp.resolve("out"), tmp.resolve("err"));
                return o.exitCode() == 0 ? o.stdout().lines().findFirst().orElse("") : null;
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static int jobs() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    @Override
    ProcessRunner.Outcome build(Path workDir, Path buildDir, List<Path> sources, String top, Duration timeout) {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        Path runtime = cacheRoot == null ? null : runtime(timeout);

        List<String> verilate = new ArrayList<>(List.of("verilator", "--top-module", top, "--Mdir", buildDir.toString(), "-o", "V" + top));
        verilate.addAll(OPTIONS);
        for (Path s : sources) verilate.add(s.toString());
        ProcessRunner.Outcome v = exec(verilate, workDir, remaining(deadline),
                buildDir.resolve("verilate.stdout.log"), buildDir.resolve("verilate.stderr.log"));
        if (v.timedOut() || v.exitCode() != 0) return since(t0, v);

        if (runtime != null) {
            try (var objects = Files.list(runtime)) {
                // not older than the makefile verilation just wrote, which make says they depend
                // on (equal times count as up to date; a time in the future makes make warn)
                FileTime now = FileTime.from(Instant.now());
                for (Path o : (Iterable<Path>) objects.filter(p -> p.toString().endsWith(".o"))::iterator) {
                    Path dst = buildDir.resolve(o.getFileName());
                    Files.copy(o, dst, StandardCopyOption.REPLACE_EXISTING);
                    Files.setLastModifiedTime(dst, now);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the Verilator runtime from " + runtime, e);
            }
        }
        ProcessRunner.Outcome m = exec(List.of("make", "-C", buildDir.toString(), "-f", "V" + top + ".mk",
                "-j", Integer.toString(jobs()), "V" + top), workDir, remaining(deadline),
                buildDir.resolve("make.stdout.log"), buildDir.resolve("make.stderr.log"));
        return new ProcessRunner.Outcome(m.exitCode(), m.timedOut(), v.stdout() + m.stdout(), v.stderr() + m.stderr(),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static ProcessRunner.Outcome since(long t0, ProcessRunner.Outcome o) {
        return new ProcessRunner.Outcome(o.exitCode(), o.timedOut(), o.stdout(), o.stderr(), Duration.ofNanos(System.nanoTime() - t0));
    }

    @Override
    List<String> runCommand(Path buildDir, String top) {
        return List.of(buildDir.resolve("V" + top).toString(), "+verilator+rand+reset+2", "+verilator+seed+" + SEED);
    }

    /**
     * Why the runtime in {@code dir} under {@code root} is not safe to link: the cache folder, the
     * runtime's folder or one of its files is not owned by this process' user, is writable by group
     * or others, or is a symbolic link; null when it is safe. Only then is what it holds what this
     * user put there (nobody else can add to or replace anything in a folder that is theirs alone).
     */
    static String unsafe(Path root, Path dir) {
        String why = unsafe(root);
        if (why == null && dir != null) why = unsafe(dir);
        if (why == null && dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    why = unsafe(f);
                    if (why != null) break;
                }
            } catch (IOException e) {
                why = dir + " cannot be checked (" + e.getMessage() + ")";
            }
        }
        return why;
    }

    private static String unsafe(Path p) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) return p + " is a symbolic link";
            if (!a.owner().equals(currentUser())) return p + " is owned by " + a.owner().getName() + ", not " + currentUser().getName();
            Set<PosixFilePermission> m = a.permissions();
            if (m.contains(PosixFilePermission.GROUP_WRITE) || m.contains(PosixFilePermission.OTHERS_WRITE)) {
                return p + " is writable by others (mode " + PosixFilePermissions.toString(m) + ")";
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return p + " cannot be checked (" + e.getMessage() + ")";
        }
    }

    private static UserPrincipal currentUser() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    /** The cached runtime objects' directory, built if missing; null if that fails or the cache is not private. */
    private Path runtime(Duration timeout) {
        try {
            String key = cacheKey(timeout);
            if (key == null) return null;
            Path cached = RUNTIMES.computeIfAbsent(key, k -> {
                Path p = fillCache(k, timeout);
                if (p == null) throw new IllegalStateException("runtime not built"); // not cached: retried next build
                return p;
            });
            // checked at every use: the build links these objects and runs the result
            return unsafe(cacheRoot, cached) == null ? cached : null;
        } catch (IllegalStateException | IOException | UncheckedIOException e) {
            return null;
        }
    }

    String cacheKey(Duration timeout) throws IOException {
        Path tmp = Files.createTempDirectory("tfq-verilator-version");
        try {
            StringBuilder id = new StringBuilder(String.join(" ", OPTIONS));
            for (String tool : List.of("verilator", "g++")) {
                ProcessRunner.Outcome o = exec(List.of(tool, "--version"), tmp, timeout, tmp.resolve("out"), tmp.resolve("err"));
                if (o.exitCode() != 0) return null;
                id.append('\n').append(o.stdout().lines().findFirst().orElse(""));
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(id.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            return null;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Builds the runtime once (under a lock shared with other processes) and returns its directory, or null. */
    private Path fillCache(String key, Duration timeout) {
        Path dir = cacheRoot.resolve(key);
        try {
            Files.createDirectories(cacheRoot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // a cache another user could have written to is not used: the runtime is compiled in the build instead
            if (unsafe(cacheRoot, null) != null) return null;
            if (Files.isDirectory(dir)) return dir;
            try (FileChannel ch = FileChannel.open(cacheRoot.resolve(key + ".lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    FileLock lock = ch.lock()) {
                if (Files.isDirectory(dir)) return dir;
                Path tmp = Files.createTempDirectory(cacheRoot, key + ".tmp");
                try {
                    Path probe = tmp.resolve("tfq_runtime_probe.v");
                    // a delay, so that the timing runtime is part of the build too
                    Files.writeString(probe, "module tfq_runtime_probe;\n    initial begin\n        #1;\n        $finish;\n"
                            + "    end\nendmodule\n", StandardCharsets.UTF_8);
                    Verilator plain = new Verilator(null, searchPath);
                    Path obj = tmp.resolve("obj");
                    Files.createDirectories(obj);
                    ProcessRunner.Outcome b = plain.build(tmp, obj, List.of(probe), "tfq_runtime_probe", timeout);
                    if (b.timedOut() || b.exitCode() != 0) return null;
                    Path out = Files.createDirectories(tmp.resolve("runtime"));
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwx------")); // whatever the umask
                    try (var files = Files.list(obj)) {
                        for (Path o : (Iterable<Path>) files.filter(p -> p.getFileName().toString().matches("verilated.*\\.o"))::iterator) {
                            Files.setPosixFilePermissions(Files.copy(o, out.resolve(o.getFileName())), PosixFilePermissions.fromString("rw-------"));
                        }
                    }
                    try {
                        Files.move(out, dir, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(out, dir);
                    }
                    return dir;
                } finally {
                    deleteTree(tmp);
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }
}
