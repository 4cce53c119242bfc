package org.vlm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Collection;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;

/** Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), which DJL's optClipGrad is not. */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of the trainable parameters' gradients (NaN or infinite if any gradient is). */
    public static double globalNorm(Collection<Param> params) {
        double sq = 0;
        try (NoGrad g = new NoGrad(); NDScope scope = new NDScope()) {
            for (Param p : params) {
                if (p.trainable()) {
                    NDArray grad = p.array().getGradient();
                    sq += grad.mul(grad).sum().getFloat();
                }
            }
        }
        return Math.sqrt(sq);
    }

    /** Scales the gradients so their global norm is at most maxNorm; returns the norm before clipping. */
    public static double clip(Collection<Param> params, double maxNorm) {
        double norm = globalNorm(params);
        if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            try (NoGrad g = new NoGrad(); NDScope scope = new NDScope()) {
                for (Param p : params) {
                    if (p.trainable()) {
                        p.array().getGradient().muli(scale);
                    }
                }
            }
        }
        return norm;
    }
}
