package org.tfq.ir.pass;

import java.util.List;
import org.tfq.ir.Graph;

/**
 * An ordered list of graph passes, readable in one place: each stage of the compiler declares
 * its list as one of these, and runs it with the observer the caller gave.
 */
public record PassPipeline(String name, List<GraphPass> passes) {

    public PassPipeline {
        passes = List.copyOf(passes);
    }

    public static PassPipeline of(String name, GraphPass... passes) {
        return new PassPipeline(name, List.of(passes));
    }

    /** Runs every pass in order, verifying each result, and shows it to the observer. */
    public Graph run(Graph g, IrObserver observer) {
        for (GraphPass p : passes) {
            g = p.apply(g).verify();
            observer.after(p.name(), g);
        }
        return g;
    }
}
