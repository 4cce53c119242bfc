package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al., RoFormer) in HF Llama's layout: dimension i of a head is paired with
 * i + hd/2 and the pair is rotated by angle {@code pos * theta^(-2i/hd)}:
 * {@code x * cos + rotate_half(x) * sin}, rotate_half(x) = [-x2, x1].
 */
public final class Rope {
    private Rope() {}

    /** cos and sin tables [len, hd] for positions offset..offset+len-1 (computed in double, stored as float). */
    static float[][] tables(int offset, int len, int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary embeddings need an even head dimension, got " + headDim);
        }
        int half = headDim / 2;
        float[] cos = new float[len * headDim];
        float[] sin = new float[len * headDim];
        for (int p = 0; p < len; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * Math.pow(theta, -2.0 * i / headDim);
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * headDim + i] = c;
                cos[p * headDim + half + i] = c;
                sin[p * headDim + i] = s;
                sin[p * headDim + half + i] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /** x [N, H, L, hd] at positions offset..offset+L-1, rotated. */
    public static NDArray apply(NDArray x, int offset, double theta) {
        Shape s = x.getShape();
        int len = (int) s.get(2);
        int hd = (int) s.get(3);
        float[][] t = tables(offset, len, hd, theta);
        NDManager m = x.getManager();
        NDArray cos = m.create(t[0], new Shape(len, hd));
        NDArray sin = m.create(t[1], new Shape(len, hd));
        NDList halves = x.split(2, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
