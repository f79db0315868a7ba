package org.tfq.finetune;

/**
 * The vector-Jacobian product of one node: the loss's gradient with respect to each input (null
 * for an input it does not depend on) and to each trainable parameter of the op, in the order
 * {@link Backward#parameters} names them.
 */
public record Grad(double[][] inputs, double[][] params) {}
