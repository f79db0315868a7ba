package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's "Commands" usage blocks ("### tfq", "### tfq compile", ...) are what each command's --help prints now. */
class ReadmeUsageTest {

    @Test
    void everyUsageBlockIsTheCommandsHelp() throws IOException {
        String readme = Files.readString(Cli.root().resolve("README.md"));
        Matcher m = Pattern.compile("^### (tfq(?: \\w+)?)\\n\\n```\\n(.*?)```\\n", Pattern.MULTILINE | Pattern.DOTALL).matcher(readme);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String[] words = m.group(1).split(" ");
            List<String> args = new ArrayList<>(List.of(words).subList(1, words.length));
            args.add("--help");
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            assertEquals(r.out(), m.group(2), "README's usage of " + m.group(1) + ": regenerate it from " + m.group(1) + " --help");
            seen.add(m.group(1));
        }
        assertTrue(seen.contains("tfq") && seen.contains("tfq compile") && seen.contains("tfq finetune"), seen.toString());
        for (String c : new picocli.CommandLine(new Main()).getSubcommands().keySet()) {
            if (!c.equals("help")) assertTrue(seen.contains("tfq " + c), "README has no usage block for tfq " + c);
        }
    }
}
