package org.tfq.cli;

import org.tfq.ir.IrException;

/** A bad option value or file given on the command line: reported as one line, exit 1. */
final class CliException extends IrException {
    CliException(String message) {
        super(message);
    }
}
