package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Where new parameters come from: the model's manager and a seeded generator. Values are drawn in Java so a
 * model built with the same seed is the same on every machine and engine.
 */
public final class Init {
    private final NDManager manager;
    private final SplittableRandom random;

    public Init(NDManager manager, long seed) {
        this.manager = manager;
        this.random = new SplittableRandom(seed);
    }

    public NDManager manager() {
        return manager;
    }

    public NDArray zeros(long... shape) {
        return manager.zeros(new Shape(shape));
    }

    public NDArray ones(long... shape) {
        return manager.ones(new Shape(shape));
    }

    public NDArray constant(float value, long... shape) {
        return manager.full(new Shape(shape), value);
    }

    /** Normal(0, std) values truncated to two standard deviations, as timm's trunc_normal_. */
    public NDArray normal(double std, long... shape) {
        int n = Math.toIntExact(new Shape(shape).size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double g;
            do {
                g = gaussian();
            } while (Math.abs(g) > 2.0);
            v[i] = (float) (g * std);
        }
        return manager.create(v, new Shape(shape));
    }

    private double gaussian() {
        // Marsaglia polar method; SplittableRandom has no nextGaussian in Java 17.
        double u, w, s;
        do {
            u = random.nextDouble() * 2 - 1;
            w = random.nextDouble() * 2 - 1;
            s = u * u + w * w;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }
}
