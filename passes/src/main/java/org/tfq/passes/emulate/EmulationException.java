package org.tfq.passes.emulate;

/**
 * A program the engine would not run as its integer graph says: a read of a word still in
 * flight, an address outside its memory, a drain cut short, a division the divider cannot do.
 * The message names the instruction (its index and node) and the cycle.
 */
public final class EmulationException extends RuntimeException {
    public EmulationException(String message) {
        super(message);
    }
}
