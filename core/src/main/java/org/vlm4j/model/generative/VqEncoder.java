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
 * The VQ-VAE encoder: per stage a 4x4 stride-2 conv and ReLU, a 3x3 conv, residual blocks, ReLU, and a 1x1 conv to
 * the code dimension. [N, 3, S, S] -> [N, code_dim, S / 2^stages, S / 2^stages].
 */
final class VqEncoder extends Module {
    private final List<Conv> down = new ArrayList<>();
    private final Conv mid;
    private final List<ConvResidualBlock> res = new ArrayList<>();
    private final Conv toCodes;

    VqEncoder(Init init, VqVaeConfig c) {
        int in = 3;
        for (int i = 0; i < c.channels().size(); i++) {
            down.add(child("down" + i, Conv.of(init, in, c.channels().get(i), 4, 2, 1)));
            in = c.channels().get(i);
        }
        this.mid = child("mid", Conv.of(init, in, in, 3, 1, 1));
        for (int i = 0; i < c.resBlocks(); i++) {
            res.add(child("res" + i, new ConvResidualBlock(init, in, c.resHidden())));
        }
        this.toCodes = child("to_codes", Conv.of(init, in, c.codeDim(), 1, 1, 0));
    }

    NDArray forward(NDArray x) {
        for (Conv d : down) {
            x = Activation.RELU.apply(d.forward(x));
        }
        x = mid.forward(x);
        for (ConvResidualBlock r : res) {
            x = r.forward(x);
        }
        return toCodes.forward(Activation.RELU.apply(x));
    }
}
