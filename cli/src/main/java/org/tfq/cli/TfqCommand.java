package org.tfq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tfq.ir.IrException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every subcommand and the one place errors become messages and exit codes, so that
 * {@code new CommandLine(new Main()).execute(args)} behaves exactly like the jar: an
 * {@link IrException} (bad model, bad .npy, unsupported op) or an I/O problem prints
 * {@code tfq: error: <message>} and exits 1; anything else is a bug and prints one
 * {@code tfq: internal error} line and exits 3, an {@link OutOfMemoryError} or
 * {@link StackOverflowError} too; {@code --verbose} adds the stack trace. Usage
 * errors are left to picocli (message and usage, exit 2).
 */
abstract class TfqCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The command's work; returns the exit code. Output goes to {@link #out()}. */
    protected abstract int run() throws Exception;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (CommandLine.ParameterException e) {
            throw e; // a usage error found late: picocli prints it with the usage
        } catch (IrException e) {
            return fail(message(e), e);
        } catch (NoSuchFileException e) {
            return fail(e.getFile() + ": no such file", e);
        } catch (AccessDeniedException e) {
            return fail(e.getFile() + ": permission denied", e);
        } catch (IOException e) {
            return fail(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            return fail(e.getCause().getMessage(), e);
        } catch (OutOfMemoryError e) {
            // what was allocated is garbage by now, so there is room to say so
            return internal(e, "; tfq ran out of its " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB heap: give it more with TFQ_JAVA_OPTS=-Xmx4g, or a smaller input");
        } catch (Exception | StackOverflowError e) {
            return internal(e, "");
        }
    }

    /** One {@code tfq: internal error} line (the stack trace with --verbose); exit 3. */
    private int internal(Throwable e, String advice) {
        err().println("tfq: internal error: " + e.getClass().getName() + ": " + e.getMessage() + advice
                + (verbose() ? "" : " (run with --verbose for the stack trace)"));
        if (verbose()) e.printStackTrace(err());
        err().flush();
        return Main.EXIT_INTERNAL;
    }

    /** An error's one line, with the settings a quantization error names said as this command line's options. */
    static String message(IrException e) {
        return e instanceof org.tfq.passes.quant.QuantizationException q ? q.message(QuantizationOptions.FLAGS) : e.getMessage();
    }

    /** Prints {@code tfq: error: message}, continuation lines indented, and returns exit code 1. */
    protected int fail(String message, Throwable cause) {
        error(message);
        if (verbose() && cause != null) cause.printStackTrace(err());
        err().flush();
        return Main.EXIT_ERROR;
    }

    protected void error(String message) {
        String m = message == null || message.isBlank() ? "(no message)" : message.strip();
        err().println("tfq: error: " + m.replace("\n", "\n  "));
        err().flush();
    }

    protected PrintWriter out() {
        return TerminalWriter.of(spec.commandLine().getOut());
    }

    protected PrintWriter err() {
        return TerminalWriter.of(spec.commandLine().getErr());
    }

    /** Whether {@code --verbose} was given, before or after the subcommand's name. */
    protected boolean verbose() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            OptionSpec o = s.findOption("--verbose");
            if (o != null && Boolean.TRUE.equals(o.getValue())) return true;
        }
        return false;
    }

    /** A readable file, or an error naming it and what it was given as. */
    protected static Path requireFile(Path p, String what) {
        if (Files.isDirectory(p)) throw new IrException(p + ": is a directory, not " + what);
        if (!Files.exists(p)) throw new IrException(p + ": no such file (" + what + ")");
        if (!Files.isReadable(p)) throw new IrException(p + ": permission denied (" + what + ")");
        return org.tfq.ir.io.RegularFile.require(p, what);
    }

    protected void requireBatch(int batch) {
        if (batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        }
    }
}
