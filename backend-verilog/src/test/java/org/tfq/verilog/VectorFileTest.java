package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VectorFileTest {

    @Test
    void writesTheCountThenTwosComplementHex() throws Exception {
        Path f = Bench.workDir("vectorfile").resolve("v.txt");
        new VectorFile(8, 4, 64, 1).add(-1, 15, Long.MIN_VALUE, 1).add(127, -8, -1, 0).write(f);
        assertEquals("2\nff f 8000000000000000 1\n7f 8 ffffffffffffffff 0\n", Files.readString(f));
    }

    @Test
    void rejectsValuesThatDoNotFit() {
        VectorFile v = new VectorFile(8);
        assertThrows(IllegalArgumentException.class, () -> v.add(256));
        assertThrows(IllegalArgumentException.class, () -> v.add(-129));
        assertThrows(IllegalArgumentException.class, () -> v.add(1, 2));
        assertThrows(IllegalArgumentException.class, () -> new VectorFile(65));
        v.add(255).add(-128);
        assertEquals(2, v.size());
    }
}
