package org.tfq.verilog;

/** A simulator or a tool it needs is not installed, or too old; the message says how to install it. */
public final class SimulatorNotFoundException extends IllegalStateException {

    public SimulatorNotFoundException(String tool, String aptPackages) {
        super(tool + " not found on the PATH. Install the tools tfq's hardware flow needs with"
                + " scripts/install-tools.sh (as root, Debian/Ubuntu), or by hand: apt-get install " + aptPackages);
    }

    /** A tool that is there but will not do: {@code message} says which version it needs. */
    public SimulatorNotFoundException(String message) {
        super(message);
    }
}
