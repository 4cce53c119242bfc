package org.vlm4j.model.generative;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.Conv;
import org.vlm4j.nn.ConvResidualBlock;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Module;

/**
 * The VQ-VAE decoder, the encoder's mirror: a 3x3 conv from the code dimension, residual blocks, ReLU, then per
 * stage (last first) a 2x nearest upsampling and a 3x3 conv (the paper's 4x4 stride-2 transposed conv; DJL has
 * none), with ReLU between stages and none after the last (its output is normalised pixels). [N, code_dim, g, g] -> [N, 3, g 2^stages, g 2^stages].
 */
final class VqDecoder extends Module {
    private final Conv fromCodes;
    private final List<ConvResidualBlock> res = new ArrayList<>();
    private final List<Conv> up = new ArrayList<>();

    VqDecoder(Init init, VqVaeConfig c) {
        List<Integer> ch = c.channels();
        int last = ch.get(ch.size() - 1);
        this.fromCodes = child("from_codes", Conv.of(init, c.codeDim(), last, 3, 1, 1));
        for (int i = 0; i < c.resBlocks(); i++) {
            res.add(child("res" + i, new ConvResidualBlock(init, last, c.resHidden())));
        }
        for (int i = ch.size() - 1, j = 0; i >= 0; i--, j++) {
            int out = i == 0 ? 3 : ch.get(i - 1);
            up.add(child("up" + j, Conv.of(init, ch.get(i), out, 3, 1, 1)));
        }
    }

    NDArray forward(NDArray q) {
        NDArray x = fromCodes.forward(q);
        for (ConvResidualBlock r : res) {
            x = r.forward(x);
        }
        x = Activation.RELU.apply(x);
        for (int i = 0; i < up.size(); i++) {
            x = up.get(i).forward(Conv.upsample2x(x));
            if (i < up.size() - 1) {
                x = Activation.RELU.apply(x);
            }
        }
        return x;
    }
}
