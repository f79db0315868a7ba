package org.tfq.ir;

import java.util.List;
import org.tfq.ir.op.Op;

/** One op applied to values; {@code name} is the source node's name, kept for messages and reports. */
public record Node(String name, Op op, List<Value> inputs, Value output) {
    public Node {
        inputs = List.copyOf(inputs);
    }

    public Value input(int i) {
        return inputs.get(i);
    }
}
