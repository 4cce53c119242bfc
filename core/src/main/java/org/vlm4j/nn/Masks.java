package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Additive attention masks: 0 where attention is allowed, -inf where it is not. */
public final class Masks {
    private Masks() {}

    /** [L, L]: position i may attend to j <= i. */
    public static NDArray causal(NDManager manager, int length) {
        return causal(manager, 0, length);
    }

    /**
     * [Lq, past + Lq]: the {@code queries} newest of {@code past + queries} positions, each attending to every
     * cached position and to the new ones up to itself (generation with a {@link KvCache}).
     */
    public static NDArray causal(NDManager manager, int past, int queries) {
        int keys = past + queries;
        float[] m = new float[queries * keys];
        for (int i = 0; i < queries; i++) {
            for (int j = past + i + 1; j < keys; j++) {
                m[i * keys + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(m, new Shape(queries, keys));
    }

    /**
     * [N, 1, 1, Lk] from a key-validity array [N, Lk] (nonzero or true = a real token, 0 = padding),
     * to be added to scores [N, H, Lq, Lk].
     */
    public static NDArray keyPadding(NDArray valid) {
        NDArray keep = valid.toType(DataType.FLOAT32, false);
        // (keep - 1) * inf would give 0 * inf = NaN; use a large finite negative instead, then clamp to -inf.
        NDArray additive = keep.sub(1f).mul(1e30f).mul(1e30f);
        long n = valid.getShape().get(0);
        long lk = valid.getShape().get(1);
        return additive.reshape(n, 1, 1, lk);
    }

    /** Sum of two additive masks, either of which may be null. */
    public static NDArray combine(NDArray a, NDArray b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.add(b);
    }
}
