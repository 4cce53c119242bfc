package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Module;

/** BERT's prediction head: dense -> activation -> LayerNorm -> linear to the vocabulary (here, or a codebook). */
public final class MlmHead extends Module {
    private final Linear dense;
    private final Activation act;
    private final LayerNorm ln;
    private final Linear decoder;

    public MlmHead(Init init, int width, int outputs, Activation act, float lnEps) {
        this.dense = child("dense", new Linear(init, width, width, true));
        this.act = act;
        this.ln = child("ln", new LayerNorm(init, width, lnEps));
        this.decoder = child("decoder", new Linear(init, width, outputs, true));
    }

    /** hidden [..., D] -> logits [..., outputs]. */
    public NDArray forward(NDArray hidden) {
        return decoder.forward(ln.forward(act.apply(dense.forward(hidden))));
    }
}
