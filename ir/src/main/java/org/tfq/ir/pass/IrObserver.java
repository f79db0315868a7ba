package org.tfq.ir.pass;

import org.tfq.ir.Graph;

/**
 * Sees the graph after every pass of the pipeline, in order: {@code tfq compile --dump-ir}
 * (MLIR's print-ir-after-all) and tests that check each pass's output.
 */
@FunctionalInterface
public interface IrObserver {

    IrObserver NONE = (pass, g) -> {};

    void after(String pass, Graph g);
}
