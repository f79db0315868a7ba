package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OUTDIR/README.md of tfq compile describes the Vivado flow compile wrote (issue 19, item 15). */
class CompiledReadmeTest {

    @TempDir
    Path tmp;

    @Test
    void readmeDescribesTheVivadoFolderItHas() throws Exception {
        Path out = tmp.resolve("out");
        Cli c = Cli.run(OutputFolderTest.compileArgs(out, "--clock-mhz", "50"));
        assertEquals(0, c.exit(), c.err());
        assertTrue(Files.isRegularFile(out.resolve("vivado/build.tcl")));
        String readme = Files.readString(out.resolve("README.md"));
        assertFalse(readme.contains("No `vivado/` folder was generated"), readme);
        assertTrue(readme.contains("| `vivado/` | Vivado batch build"), readme);
        assertTrue(readme.contains("make bitstream     # Vivado"), readme);
        assertTrue(readme.contains("| target | xc7s15ftgb196-1 |"), readme);
        assertTrue(readme.contains("| latency at 50 MHz |"), readme);
        // project mode runs synthesis elsewhere: the relative MEM_DIR default does not hold there
        assertTrue(readme.contains("set_property generic {MEM_DIR=\"/path/to/this/folder/rtl/\"} [current_fileset]"), readme);
    }
}
