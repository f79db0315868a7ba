package org.tfq.passes.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The exact half of the resource model against what Yosys 0.23 {@code synth_xilinx -family xc7}
 * did with small test modules (a registered product; a ROM read by {@code $readmemh}; a RAM with
 * one write and one or two registered read ports), recorded when the rules were written. The
 * whole-design comparison is {@code ResourceModelYosysTest} and {@code bench/resources}.
 */
class YosysMappingTest {

    @Test
    void productsGoToDspsFromNineResultBitsAndWideOnesAreSliced() {
        // a x b signed, result bits used: DSP48E1 count Yosys gave
        int[][] cases = {
            {5, 6, 11, 1}, {3, 4, 7, 0}, {4, 4, 8, 0}, {2, 2, 4, 0}, {3, 3, 6, 0}, {2, 7, 9, 1}, {3, 6, 9, 1}, {2, 8, 10, 1},
            {7, 8, 15, 1}, {9, 10, 19, 1}, {18, 18, 36, 1}, {24, 17, 31, 1}, {30, 17, 31, 2}, {30, 17, 47, 2}, {25, 20, 45, 2},
            {25, 20, 31, 2}, {26, 16, 42, 2}, {40, 16, 56, 2}, {40, 16, 41, 2},
        };
        for (int[] c : cases) assertEquals(c[3], YosysMapping.dsps(c[0], c[1], c[2], true), c[0] + " x " + c[1] + " -> " + c[2]);
    }

    @Test
    void romsTakeTheCheapestBlockRamGeometry() {
        // depth, width: RAMB36, RAMB18 Yosys used for a rom_style "block" ROM
        int[][] cases = {
            {424, 128, 2, 0}, {772, 52, 0, 3}, {16, 8, 0, 1}, {256, 64, 1, 0}, {1597, 32, 2, 0}, {3000, 128, 11, 0},
            {600, 288, 8, 0}, {4096, 9, 1, 0}, {9000, 36, 9, 0}, {2048, 72, 4, 0},
        };
        for (int[] c : cases) {
            assertEquals(new YosysMapping.Blocks(c[2], c[3]), YosysMapping.blockRam(c[0], c[1], 0, 1), c[0] + " x " + c[1]);
        }
    }

    @Test
    void aRamWithTwoReadPortsIsTwoCopies() {
        // depth, width: RAMB36, RAMB18 for one write port and two registered read ports (ram_style "block")
        int[][] cases = {{1500, 5, 0, 2}, {1500, 9, 0, 2}, {3000, 9, 2, 0}, {600, 8, 0, 2}, {5000, 7, 0, 6}, {9000, 5, 0, 10}, {20000, 9, 10, 0}};
        for (int[] c : cases) {
            assertEquals(new YosysMapping.Blocks(c[2], c[3]), YosysMapping.blockRam(c[0], c[1], 1, 2), c[0] + " x " + c[1]);
        }
    }

    @Test
    void distributedRamsInRam32mAndRam64m() {
        // depth, width, read ports: LUTs of RAM32M/RAM64M (4 each) Yosys used (ram_style "distributed" or none)
        int[][] cases = {
            {800, 5, 2, 208}, {300, 9, 2, 120}, {128, 8, 2, 48}, {64, 4, 2, 16}, {512, 8, 2, 192},
            {12, 5, 1, 4}, {16, 9, 1, 8}, {32, 5, 1, 4}, {64, 9, 1, 12}, {48, 5, 1, 8}, {96, 5, 1, 12}, {128, 9, 1, 24},
            {200, 5, 1, 32}, {6, 4, 1, 4}, {12, 16, 1, 12}, {24, 17, 1, 12}, {64, 16, 1, 24}, {8, 16, 1, 12}, {32, 8, 1, 8},
        };
        for (int[] c : cases) assertEquals(c[3], YosysMapping.lutRam(c[0], c[1], c[2]).lutram(), c[0] + " x " + c[1] + ", " + c[2] + " read ports");
    }
}
