package org.tfq.verilog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code verilator --lint-only -Wall} as a check: every Verilog file tfq ships or generates must
 * give no warning. {@code --default-language 1364-2001} parses the files as Verilog-2001, so
 * SystemVerilog (a {@code logic}, an {@code always_ff}) is an error rather than silently accepted.
 */
public final class Lint {
    private Lint() {}

    static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * The warnings and errors of linting {@code sources} together, Verilator choosing the top
     * module (a second top is itself a warning, MULTITOP). Empty means clean.
     */
    public static List<String> verilatorLintWall(List<Path> sources) {
        return verilatorLintWall(sources, null, Map.of());
    }

    /**
     * The warnings and errors of linting {@code sources} with top module {@code top} (null: let
     * Verilator choose) and its parameters overridden by {@code parameters} ({@code -G}), one
     * message per warning (its first line, {@code %Warning-CODE: file:line:col: text}).
     *
     * @throws SimulatorNotFoundException if verilator is not installed
     */
    public static List<String> verilatorLintWall(List<Path> sources, String top, Map<String, ?> parameters) {
        if (ProcessRunner.onPath("verilator") == null) throw new SimulatorNotFoundException("verilator", "verilator");
        if (sources.isEmpty()) throw new IllegalArgumentException("nothing to lint");
        List<String> cmd = new ArrayList<>(List.of("verilator", "--lint-only", "-Wall", "--default-language", "1364-2001"));
        if (top != null) cmd.addAll(List.of("--top-module", top));
        parameters.forEach((k, v) -> cmd.add("-G" + k + "=" + v));
        for (Path s : sources) cmd.add(s.toAbsolutePath().toString());
        return inTemporaryFolder("tfq-lint", logDir -> {
            ProcessRunner.Outcome o = ProcessRunner.run(cmd, logDir, TIMEOUT, logDir.resolve("stdout"), logDir.resolve("stderr"));
            List<String> messages = new ArrayList<>();
            if (o.timedOut()) messages.add("%Error: verilator --lint-only timed out after " + TIMEOUT.toSeconds() + " s");
            for (String line : (o.stdout() + "\n" + o.stderr()).split("\n")) {
                // the closing "Exiting due to N warning(s)" repeats what the list already says
                if ((line.startsWith("%Warning") || line.startsWith("%Error")) && !line.startsWith("%Error: Exiting due to")) {
                    messages.add(line);
                }
            }
            if (messages.isEmpty() && o.exitCode() != 0) {
                messages.add("%Error: verilator --lint-only exited with " + o.exitCode() + ": " + o.stderr().strip());
            }
            return messages;
        });
    }

    /**
     * The messages of {@code iverilog -g2005 -gstrict-expr-width -gstrict-ca-eval} compiling
     * {@code sources} with top {@code top} (IEEE 1364-2005, no Icarus extensions; Icarus' own -Wall
     * notes, such as an {@code @*} reading a whole array, are about its simulation speed, and
     * {@link #verilatorLintWall} covers the rest). Empty means clean.
     *
     * @throws SimulatorNotFoundException if iverilog is not installed
     */
    public static List<String> icarusStrict(List<Path> sources, String top) {
        if (ProcessRunner.onPath("iverilog") == null) throw new SimulatorNotFoundException("iverilog", "iverilog");
        return inTemporaryFolder("tfq-icarus-strict", logDir -> {
            List<String> cmd = new ArrayList<>(List.of("iverilog", "-g2005", "-gstrict-expr-width", "-gstrict-ca-eval", "-s", top,
                    "-o", logDir.resolve("a.vvp").toString()));
            for (Path s : sources) cmd.add(s.toAbsolutePath().toString());
            ProcessRunner.Outcome o = ProcessRunner.run(cmd, logDir, TIMEOUT, logDir.resolve("stdout"), logDir.resolve("stderr"));
            List<String> messages = new ArrayList<>();
            for (String line : (o.stdout() + "\n" + o.stderr()).split("\n")) if (!line.isBlank()) messages.add(line);
            if (messages.isEmpty() && (o.exitCode() != 0 || o.timedOut())) messages.add("iverilog exited with " + o.exitCode());
            return messages;
        });
    }

    /** {@code check} run in a fresh temporary folder for its logs, removed afterwards. */
    private static List<String> inTemporaryFolder(String prefix, java.util.function.Function<Path, List<String>> check) {
        Path logDir;
        try {
            logDir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        try {
            return check.apply(logDir);
        } finally {
            deleteQuietly(logDir);
        }
    }

    private static final java.util.regex.Pattern DECLARATION = java.util.regex.Pattern.compile(
            "^\\s*(?:(?:input|output|inout)\\s+)?(?:wire|reg|integer|genvar|localparam|parameter)\\b(?:\\s+(?:signed|integer|real|time))?\\s*(?:\\[[^\\]]*\\])?\\s*(.*)$");
    private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("(?<![\\w$'`.])[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Names used, in a module of {@code source}, on a line before the line that declares them
     * ({@code name: used on line U, declared on line D}). Verilog-2001 (IEEE 1364-2005 12.3.3)
     * and IEEE 1800 require a declaration before use; Verilator and Icarus 11 accept the
     * forward reference, Vivado's xvlog, VCS, Xcelium and Icarus 13 reject it. A line-based scan
     * of the style tfq writes: one declaration statement per line, comments and strings removed.
     */
    public static List<String> usesBeforeDeclaration(Path source) {
        List<String> lines;
        try {
            lines = Files.readAllLines(source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> declared = new java.util.HashMap<>();
        Map<String, Integer> firstUse = new java.util.HashMap<>();
        boolean inComment = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (inComment) {
                int end = line.indexOf("*/");
                if (end < 0) continue;
                line = line.substring(end + 2);
                inComment = false;
            }
            line = line.replaceAll("/\\*.*?\\*/", " ").replaceAll("\"[^\"]*\"", " ").replaceAll("\\(\\*.*?\\*\\)", " ");
            int open = line.indexOf("/*");
            if (open >= 0) {
                line = line.substring(0, open);
                inComment = true;
            }
            int comment = line.indexOf("//");
            if (comment >= 0) line = line.substring(0, comment);
            if (line.matches("\\s*module\\b.*")) {
                checkModule(declared, firstUse, problems, source);
                declared.clear();
                firstUse.clear();
            }
            String uses = line;
            java.util.regex.Matcher d = DECLARATION.matcher(line);
            if (d.matches()) {
                // the declared names: each before '=' or ',' at the top level of the rest
                String rest = d.group(1);
                StringBuilder names = new StringBuilder(), read = new StringBuilder(line.substring(0, d.start(1)));
                int depth = 0;
                boolean inInit = false;
                for (char c : rest.toCharArray()) {
                    if (c == '(' || c == '{' || c == '[') depth++;
                    if (c == ')' || c == '}' || c == ']') depth--;
                    if (depth == 0 && c == '=') inInit = true;
                    if (depth == 0 && c == ',') inInit = false;
                    boolean isRead = inInit || depth > 0 || c == ']';
                    names.append(isRead ? ' ' : c);
                    read.append(isRead ? c : ' ');
                }
                java.util.regex.Matcher n = IDENTIFIER.matcher(names);
                while (n.find()) declared.putIfAbsent(n.group(), i + 1);
                uses = read.toString();
            }
            java.util.regex.Matcher u = IDENTIFIER.matcher(uses.replaceAll("\\d+'[sS]?[bBoOdDhH][0-9a-fA-FxXzZ_?]+", " "));
            while (u.find()) firstUse.putIfAbsent(u.group(), i + 1);
        }
        checkModule(declared, firstUse, problems, source);
        return problems;
    }

    private static void checkModule(Map<String, Integer> declared, Map<String, Integer> firstUse, List<String> problems, Path source) {
        declared.forEach((name, line) -> {
            Integer use = firstUse.get(name);
            if (use != null && use < line) problems.add(source.getFileName() + ": " + name + ": used on line " + use + ", declared on line " + line);
        });
        problems.sort(null);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary log directory is harmless
        }
    }
}
