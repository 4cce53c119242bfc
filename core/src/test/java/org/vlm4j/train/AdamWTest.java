package org.vlm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.Param;

class AdamWTest {
    /** A module with one [2, 3] weight and a bias, for loss = sum((W x + b)^2). */
    static final class Tiny extends Module {
        final Linear lin;

        Tiny(Init init) {
            lin = child("lin", new Linear(init, 3, 2, true));
        }
    }

    @Test
    void matchesAdamWWrittenOutInDoublePrecision() {
        Vlm4jEngine.init();
        try (NDManager manager = NDManager.newBaseManager()) {
            Tiny t = new Tiny(new Init(manager, 3));
            Map<String, Param> params = t.namedParams();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            float[] x = {0.5f, -1f, 2f};
            double[] w = toDouble(params.get("lin.weight").array().toFloatArray());
            double[] b = toDouble(params.get("lin.bias").array().toFloatArray());
            double[] mw = new double[6], vw = new double[6], mb = new double[2], vb = new double[2];
            AdamW opt = new AdamW(manager, 0.9f, 0.98f, 1e-6f, 0.1f, n -> AdamW.defaultDecays(n, n.endsWith("weight") ? 2 : 1));
            float lr = 0.01f;
            for (int step = 1; step <= 3; step++) {
                try (NDScope scope = new NDScope()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = t.lin.forward(manager.create(x, new Shape(1, 3)));
                        gc.backward(y.mul(y).sum());
                    }
                    opt.update(params, lr);
                    params.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p.array()));
                }
                // Reference: y = W x + b, dL/dy = 2y, dW = 2y x^T, db = 2y.
                double[] y = new double[2];
                for (int r = 0; r < 2; r++) {
                    y[r] = b[r];
                    for (int c = 0; c < 3; c++) {
                        y[r] += w[r * 3 + c] * x[c];
                    }
                }
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 3; c++) {
                        w[r * 3 + c] = adamw(w[r * 3 + c], 2 * y[r] * x[c], mw, vw, r * 3 + c, step, lr, 0.1);
                    }
                    b[r] = adamw(b[r], 2 * y[r], mb, vb, r, step, lr, 0);
                }
            }
            assertArrayEquals(toFloat(w), params.get("lin.weight").array().toFloatArray(), 1e-6f);
            assertArrayEquals(toFloat(b), params.get("lin.bias").array().toFloatArray(), 1e-6f);
            assertEquals(3, opt.step());
        }
    }

    static double adamw(double p, double g, double[] m, double[] v, int i, int t, double lr, double wd) {
        p *= 1 - lr * wd;
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.98 * v[i] + 0.02 * g * g;
        double mh = m[i] / (1 - Math.pow(0.9, t));
        double vh = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.98, t));
        return p - lr * mh / (vh + 1e-6);
    }

    @Test
    void decayRuleExcludesGainsBiasesEmbeddingsAndLogitScale() {
        assertTrue(AdamW.defaultDecays("visual.transformer.blocks.0.attn.qkv.weight", 2));
        assertTrue(AdamW.defaultDecays("visual.patch_embed.weight", 4));
        assertFalse(AdamW.defaultDecays("visual.transformer.blocks.0.ln1.weight", 1));
        assertFalse(AdamW.defaultDecays("text.token_embed", 2));
        assertFalse(AdamW.defaultDecays("visual.pos_embed", 2));
        assertFalse(AdamW.defaultDecays("logit_scale", 0));
        assertFalse(AdamW.defaultDecays("visual.head.probe", 2));
    }

    @Test
    void clippingScalesToTheGlobalNorm() {
        Vlm4jEngine.init();
        try (NDManager manager = NDManager.newBaseManager()) {
            Tiny t = new Tiny(new Init(manager, 5));
            Map<String, Param> params = t.namedParams();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = t.lin.forward(manager.create(new float[] {30f, -10f, 20f}, new Shape(1, 3)));
                gc.backward(y.mul(y).sum().add(y.sum().mul(50f)));
            }
            double before = GradientClipping.clip(params.values(), 1.0);
            assertTrue(before > 1.0, "the test needs a large gradient, got " + before);
            assertEquals(1.0, GradientClipping.globalNorm(params.values()), 1e-4);
        }
    }

    @Test
    void scheduleWarmsUpThenFollowsTheCosine() {
        LrSchedule s = new LrSchedule(1f, 10, 110);
        assertEquals(0.1f, s.at(0), 1e-6);
        assertEquals(1f, s.at(9), 1e-6);
        assertEquals(1f, s.at(10), 1e-6);
        assertEquals(0.5f, s.at(60), 1e-6);
        assertEquals(0f, s.at(110), 1e-6);
    }

    static double[] toDouble(float[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i];
        }
        return o;
    }

    static float[] toFloat(double[] a) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = (float) a[i];
        }
        return o;
    }
}
