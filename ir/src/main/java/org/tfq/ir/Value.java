package org.tfq.ir;

/** A named SSA value: produced once (by a node or as a graph input), read by any number of nodes. */
public record Value(String name, TensorType type) {
    @Override
    public String toString() {
        return "%" + name + " : " + type;
    }
}
