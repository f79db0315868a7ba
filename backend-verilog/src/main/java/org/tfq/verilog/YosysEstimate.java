package org.tfq.verilog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What Yosys' {@code synth_xilinx -family xc7} made of a design, in the resources Vivado's
 * utilization report counts ({@link YosysEstimator} says how cells become these numbers). An
 * estimate from Yosys' netlist, not a Vivado result.
 *
 * @param top               the top module
 * @param lutLogic          LUTs as logic: LUT1..LUT6 and INV cells, one LUT each
 * @param lutDistributedRam LUTs holding distributed RAM (RAM64M = 4, RAM64X1D = 2, ...)
 * @param lutShiftRegister  LUTs used as shift registers (SRL16E, SRLC32E: one each)
 * @param ff                flip-flops and latches (FDRE, FDSE, FDCE, FDPE, LDCE, LDPE)
 * @param dsp               DSP48E1 slices
 * @param ramb36            RAMB36E1 (and FIFO36E1) blocks
 * @param ramb18            RAMB18E1 (and FIFO18E1) blocks
 * @param carry4            CARRY4 cells (for information: they use no LUT)
 * @param muxf7             MUXF7 cells (for information)
 * @param muxf8             MUXF8 cells (for information)
 * @param logicLevels       the timing proxy: the most LUT, INV, MUXF7/8 and CARRY4 cells on one
 *                          register-to-register (or port) path; 0 for a design without logic
 * @param cells             every cell type and its count, as Yosys' {@code stat} gave them, by type
 * @param uncounted         the cell types counted in none of the resources above and not I/O or
 *                          clock buffers (unmapped logic, black boxes): empty for a design Yosys
 *                          mapped completely
 * @param yosysVersion      Yosys' version line
 * @param elapsed           how long Yosys ran
 * @param log               Yosys' full log
 */
public record YosysEstimate(String top, int lutLogic, int lutDistributedRam, int lutShiftRegister, int ff, int dsp,
        int ramb36, int ramb18, int carry4, int muxf7, int muxf8, int logicLevels, Map<String, Integer> cells,
        Map<String, Integer> uncounted, String yosysVersion, Duration elapsed, Path log) {

    public YosysEstimate {
        Objects.requireNonNull(top, "top");
        // sorted by type, so that what is printed or written from them is always in the same order
        cells = Collections.unmodifiableMap(new TreeMap<>(cells));
        uncounted = Collections.unmodifiableMap(new TreeMap<>(uncounted));
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** LUTs as memory, Vivado's "LUT as Memory": distributed RAM and shift registers. */
    public int lutram() {
        return lutDistributedRam + lutShiftRegister;
    }

    /** All LUTs, Vivado's "Slice LUTs": as logic and as memory. */
    public int lut() {
        return lutLogic + lutram();
    }

    /** Block RAM in 36 Kb tiles, Vivado's "Block RAM Tile": a RAMB18 is half a tile. */
    public double bramTiles() {
        return ramb36 + ramb18 / 2.0;
    }

    /** Yosys' run time in seconds. */
    public double seconds() {
        return elapsed.toNanos() / 1e9;
    }
}
