package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * examples/ci/tfq-fpga.yml's bitstream job runs on a self-hosted runner, whose workspace outlives
 * a run: it must start from a checkout and without the earlier run's design folder, or a run that
 * fails before Vivado writes anything uploads the earlier bitstream and reports (issue 19, item 12).
 */
class ExamplesCiTest {

    @Test
    void bitstreamJobStartsClean() throws Exception {
        String yml = Files.readString(Cli.root().resolve("examples/ci/tfq-fpga.yml"));
        String job = yml.substring(yml.indexOf("\n  bitstream:\n"));
        int checkout = job.indexOf("- uses: actions/checkout@v4");
        int clean = job.indexOf("run: rm -rf \"$OUT\"");
        int download = job.indexOf("- uses: actions/download-artifact@v4");
        assertTrue(checkout > 0 && clean > checkout && download > clean, job);
    }
}
