package org.vlm4j.loss;

import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;

/** The learned log logit scale of contrastive losses, which OpenCLIP clamps to [0, ln 100] after every update. */
public final class LogitScale {
    private LogitScale() {}

    public static void clamp(Param logScale) {
        try (NoGrad g = new NoGrad()) {
            float v = logScale.array().getFloat();
            float clamped = (float) Math.max(0, Math.min(Math.log(100), v));
            if (clamped != v) {
                logScale.array().subi(v - clamped);
            }
        }
    }
}
