package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A convolutional ViT stem (Xiao et al. 2021): per entry of {@code channels}, a 3x3 stride-2 conv (no bias), a
 * LayerNorm over channels (the paper's BatchNorm without running statistics, so training and inference are one
 * code path) and GELU. Each halves the resolution; the ViT's 1x1 patch embedding then maps to its width.
 */
public final class ConvStem extends Module {
    private final List<Layer> layers = new ArrayList<>();
    private final int outChannels;

    public ConvStem(Init init, int inChannels, List<Integer> channels, float eps) {
        int in = inChannels;
        for (int i = 0; i < channels.size(); i++) {
            layers.add(child(Integer.toString(i), new Layer(init, in, channels.get(i), eps)));
            in = channels.get(i);
        }
        this.outChannels = in;
    }

    public int outChannels() {
        return outChannels;
    }

    /** [N, C, H, W] -> [N, channels.last, H / 2^k, W / 2^k]. */
    public NDArray forward(NDArray x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    private static final class Layer extends Module {
        private final Param weight;
        private final LayerNorm norm;

        Layer(Init init, int in, int out, float eps) {
            // He-normal for the conv feeding GELU
            this.weight = param("weight", init.normal(Math.sqrt(2.0 / (9 * in)), out, in, 3, 3));
            this.norm = child("norm", new LayerNorm(init, out, eps));
        }

        NDArray forward(NDArray x) {
            NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), null, new Shape(2, 2), new Shape(1, 1),
                    new Shape(1, 1), 1).singletonOrThrow();
            y = norm.forward(y.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2);
            return Activation.GELU.apply(y);
        }
    }
}
