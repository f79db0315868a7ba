package org.tfq.vivado;

import org.tfq.ir.IrException;

/**
 * A problem the user can act on in the Vivado flow (unknown part, bad clock, missing XDC file, a
 * report that is not Vivado's). It extends {@link IrException} because the CLI prints exactly
 * those as one {@code tfq: error:} line with exit code 1.
 */
public class VivadoException extends IrException {
    public VivadoException(String message) {
        super(message);
    }
}
