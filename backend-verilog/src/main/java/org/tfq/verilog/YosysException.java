package org.tfq.verilog;

import org.tfq.ir.IrException;

/**
 * Yosys could not estimate a design: a Verilog error, a missing {@code $readmemh} file, a missing
 * top module, a timeout, output tfq cannot read. The message is one line: Yosys' first
 * {@code ERROR:} and where the whole log is. It is an {@link IrException}, so the command line
 * prints it as one {@code tfq: error:} line with exit code 1.
 */
public final class YosysException extends IrException {
    public YosysException(String message) {
        super(message);
    }
}
