package org.tfq.ir.pass;

import org.tfq.ir.Graph;

/**
 * One transformation of a graph, named for what it does (QONNX's {@code model.transform(...)},
 * an MLIR pass). The name is what {@code tfq compile --dump-ir} calls the file written after it.
 */
public interface GraphPass {

    /** Short, stable, kebab-case: a file name and a line of {@code --dump-ir}'s index. */
    String name();

    /** The transformed graph; the input is never changed (graphs are immutable). */
    Graph apply(Graph g);

    /** A pass from a name and a function, for passes that are one static method. */
    static GraphPass of(String name, java.util.function.UnaryOperator<Graph> f) {
        return new GraphPass() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Graph apply(Graph g) {
                return f.apply(g);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
