package org.tfq.ir;

/** A problem with a graph that the user can act on: the message is one line, what and where. */
public class IrException extends RuntimeException {
    public IrException(String message) {
        super(message);
    }
}
