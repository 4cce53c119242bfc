package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * The VQ-VAE paper's residual block: {@code x + conv1x1(relu(conv3x3(relu(x))))}, the 3x3 conv narrowing to
 * {@code hidden} channels (van den Oord et al. 2017, section 4.1).
 */
public final class ConvResidualBlock extends Module {
    private final Conv conv3;
    private final Conv conv1;

    public ConvResidualBlock(Init init, int channels, int hidden) {
        this.conv3 = child("conv3", Conv.of(init, channels, hidden, 3, 1, 1));
        this.conv1 = child("conv1", Conv.of(init, hidden, channels, 1, 1, 0));
    }

    public NDArray forward(NDArray x) {
        NDArray h = conv3.forward(Activation.RELU.apply(x));
        return x.add(conv1.forward(Activation.RELU.apply(h)));
    }
}
