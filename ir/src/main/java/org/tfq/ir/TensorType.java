package org.tfq.ir;

public record TensorType(Shape shape, ElementType element) {

    public static TensorType f32(Shape shape) {
        return new TensorType(shape, ElementType.FLOAT);
    }

    public static TensorType f32(int... dims) {
        return f32(Shape.of(dims));
    }

    public boolean isFloat() {
        return element instanceof ElementType.F32;
    }

    public IntType intType() {
        if (element instanceof IntType t) return t;
        throw new IllegalStateException("not an integer tensor: " + this);
    }

    public TensorType withShape(Shape s) {
        return new TensorType(s, element);
    }

    @Override
    public String toString() {
        return element + "" + shape;
    }
}
