package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant, safe under autograd. DJL's {@code NDArray.mul(Number)} (and div, pow, minimum, ...)
 * wraps the constant in a 0-d tensor over a Java direct buffer and closes it as soon as the op returns; the autograd
 * graph keeps that tensor for the backward pass, and once the garbage collector frees the buffer, backward reads
 * freed memory. That gave training runs that parted from identical runs and transient infinite gradients whenever
 * other JVM threads (the data loader) made the GC run between forward and backward. These helpers make the constant
 * a tensor libtorch owns (torch.full), so the graph holds real memory. Use them for every constant operand of a
 * differentiable op whose backward needs the operand (mul, div, pow, minimum, maximum).
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-d tensor of x's type on x's manager, in memory libtorch owns. */
    public static NDArray of(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    public static NDArray mul(NDArray x, float value) {
        return x.mul(of(x, value));
    }

    public static NDArray div(NDArray x, float value) {
        return x.div(of(x, value));
    }

    public static NDArray minimum(NDArray x, float value) {
        return x.minimum(of(x, value));
    }
}
