package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A 2-D convolution with bias over [N, C, H, W], weight [out, in, k, k] as PyTorch's {@code nn.Conv2d}; He-normal
 * init (the layers feed ReLU), zero bias. (DJL's PyTorch engine has no transposed convolution: decoders upsample
 * with {@link #upsample2x} and convolve, which also avoids the checkerboard artefacts of strided transposes.)
 */
public final class Conv extends Module {
    private final Param weight;
    private final Param bias;
    private final int stride;
    private final int padding;

    private Conv(Init init, int in, int out, int kernel, int stride, int padding) {
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("bad convolution: in " + in + ", out " + out + ", kernel " + kernel
                    + ", stride " + stride + ", padding " + padding);
        }
        double fanIn = (double) in * kernel * kernel;
        this.weight = param("weight", init.normal(Math.sqrt(2 / fanIn), out, in, kernel, kernel));
        this.bias = param("bias", init.zeros(out));
        this.stride = stride;
        this.padding = padding;
    }

    /** A convolution: output side = (side + 2 padding - kernel) / stride + 1. */
    public static Conv of(Init init, int in, int out, int kernel, int stride, int padding) {
        return new Conv(init, in, out, kernel, stride, padding);
    }

    /** Nearest-neighbour 2x upsampling of [N, C, H, W] (each pixel becomes a 2x2 block); differentiable. */
    public static NDArray upsample2x(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    public NDArray forward(NDArray x) {
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        Shape one = new Shape(1, 1);
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias.array(), s, p, one, 1).singletonOrThrow();
    }
}
