package org.tfq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code tfq} command. Every subcommand is listed in {@code subcommands} below, and nowhere
 * else; a new one extends {@link TfqCommand} and is added there.
 *
 * <p>Exit codes: 0 success, 1 error the user can act on (bad file, unsupported model), 2 usage
 * error (picocli's message and the usage), 3 internal error (a bug in tfq).
 */
@Command(
        name = "tfq",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = "ONNX time-series Transformers to integer-only FPGA accelerators.",
        subcommands = {
            InspectCommand.class,
            CompileCommand.class,
            EvaluateCommand.class,
            ReportCommand.class,
            ExploreCommand.class,
            EstimateCommand.class,
            SimulateCommand.class,
            FinetuneCommand.class,
            CommandLine.HelpCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:error (bad input file, unsupported model)",
            "2:usage error",
            "3:internal error (a bug in tfq)",
        })
public final class Main implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On errors, also print the stack trace.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** The Maven project version, put into tfq-version.properties by resource filtering. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tfq " + version()};
        }

        static String version() {
            try (InputStream in = Main.class.getResourceAsStream("/tfq-version.properties")) {
                if (in == null) return "(unknown version)";
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                return v.isEmpty() || v.startsWith("${") ? "(unknown version)" : v;
            } catch (IOException e) {
                return "(unknown version)";
            }
        }
    }
}
