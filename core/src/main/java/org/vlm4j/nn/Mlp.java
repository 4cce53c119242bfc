package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** fc1 -> activation -> fc2; for SwiGLU fc1 emits [gate | up] and the output is silu(gate) * up. */
public final class Mlp extends Module {
    private final Linear fc1;
    private final Linear fc2;
    private final Activation act;

    public Mlp(Init init, long dim, long hidden, Activation act, boolean bias) {
        this(init, dim, hidden, act, bias, 1 / Math.sqrt(2.0 * dim));
    }

    /** OpenCLIP's init: fc1 ~ N(0, (2 dim)^-1/2), fc2 (into the residual stream) ~ N(0, outStd). */
    public Mlp(Init init, long dim, long hidden, Activation act, boolean bias, double outStd) {
        this.act = act;
        this.fc1 = child("fc1", new Linear(init, dim, act == Activation.SWIGLU ? 2 * hidden : hidden, bias,
                1 / Math.sqrt(2.0 * dim)));
        this.fc2 = child("fc2", new Linear(init, hidden, dim, bias, outStd));
    }

    public NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        if (act == Activation.SWIGLU) {
            NDList halves = h.split(2, h.getShape().dimension() - 1);
            NDArray gate = halves.get(0);
            h = gate.mul(ai.djl.nn.Activation.sigmoid(gate)).mul(halves.get(1));
        } else {
            h = act.apply(h);
        }
        return fc2.forward(h);
    }
}
