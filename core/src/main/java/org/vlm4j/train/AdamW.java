package org.vlm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;

/**
 * AdamW with PyTorch's arithmetic (decoupled weight decay, bias-corrected moments, eps added after the square root).
 * The optimiser owns its moment arrays (in the model's manager, outside any step scope) so they can be checkpointed
 * and restored exactly. Parameters for which {@code decays} is false get no weight decay.
 */
public final class AdamW {
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Predicate<String> decays;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(NDManager manager, float beta1, float beta2, float eps, float weightDecay, Predicate<String> decays) {
        this.manager = manager;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decays = decays;
    }

    /**
     * OpenCLIP's rule, widened as the training issue asks: no decay on 1-D parameters (gains, biases), embeddings
     * (token/positional tables, class token, probes) or the logit scale and bias.
     */
    public static boolean defaultDecays(String name, long rank) {
        if (rank < 2) {
            return false;
        }
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        return !(name.contains("embed") && !name.contains("patch_embed")) && !leaf.equals("cls_token")
                && !leaf.equals("probe") && !name.startsWith("logit_");
    }

    public long step() {
        return step;
    }

    /** One update of every parameter in {@code params} that has a gradient, at learning rate lr. */
    public void update(Map<String, Param> params, float lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float sqrtBc2 = (float) Math.sqrt(bc2);
        try (NoGrad g = new NoGrad()) {
            for (Map.Entry<String, Param> e : params.entrySet()) {
                if (!e.getValue().trainable()) {
                    continue;
                }
                NDArray p = e.getValue().array();
                NDArray mom = m.computeIfAbsent(e.getKey(), k -> state(p));
                NDArray vel = v.computeIfAbsent(e.getKey(), k -> state(p));
                try (NDScope scope = new NDScope()) {
                    NDArray grad = p.getGradient();
                    if (weightDecay > 0 && decays.test(e.getKey())) {
                        p.muli(1 - lr * weightDecay);
                    }
                    mom.muli(beta1).addi(grad.mul(1 - beta1));
                    vel.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
                    NDArray denom = vel.sqrt().divi(sqrtBc2).addi(eps);
                    p.subi(mom.div(denom).muli(stepSize));
                }
            }
        }
    }

    private NDArray state(NDArray like) {
        NDArray z = manager.zeros(like.getShape());
        NDScope.unregister(z); // lives as long as the optimiser, whatever scope is open
        return z;
    }

    /** Moments by "m.NAME" / "v.NAME", plus the step count, for checkpoints. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a.toFloatArray()));
        v.forEach((k, a) -> out.put("v." + k, a.toFloatArray()));
        return out;
    }

    public void restore(Map<String, float[]> state, long step, Map<String, Param> params) {
        this.step = step;
        for (Map.Entry<String, Param> e : params.entrySet()) {
            float[] mv = state.get("m." + e.getKey());
            float[] vv = state.get("v." + e.getKey());
            if (mv == null || vv == null) {
                continue; // never updated before the checkpoint
            }
            NDArray p = e.getValue().array();
            NDArray mom = manager.create(mv, p.getShape());
            NDArray vel = manager.create(vv, p.getShape());
            NDScope.unregister(mom, vel);
            replace(m, e.getKey(), mom);
            replace(v, e.getKey(), vel);
        }
    }

    private static void replace(Map<String, NDArray> map, String key, NDArray value) {
        NDArray old = map.put(key, value);
        if (old != null) {
            old.close();
        }
    }
}
