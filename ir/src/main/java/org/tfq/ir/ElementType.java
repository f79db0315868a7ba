package org.tfq.ir;

/** What one element of a tensor is: a float, or an integer of known width with its quantization. */
public sealed interface ElementType permits ElementType.F32, IntType {

    /** float32, the element type of the float IR. */
    record F32() implements ElementType {
        @Override
        public String toString() {
            return "f32";
        }
    }

    ElementType FLOAT = new F32();
}
