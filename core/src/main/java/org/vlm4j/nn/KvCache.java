package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of the tokens a causal stack has already seen, per layer ({@code [N, H, L, headDim]}), so that
 * generation feeds only the new tokens each step. Layers append in {@link Attention#forward(NDArray, NDArray,
 * KvCache, int)}; the owner calls {@link #advance(int)} once all layers have seen the new tokens. The arrays live in
 * the manager of the arrays appended (one manager per generation call).
 */
public final class KvCache {
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(int layers) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Tokens cached so far (the position of the next token). */
    public int length() {
        return length;
    }

    /** Appends one layer's new keys and values; returns that layer's full {keys, values}. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        if (layer < 0 || layer >= keys.length) {
            throw new IllegalArgumentException("layer " + layer + " outside a " + keys.length + "-layer cache");
        }
        keys[layer] = keys[layer] == null ? k : keys[layer].concat(k, 2);
        values[layer] = values[layer] == null ? v : values[layer].concat(v, 2);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Marks {@code tokens} new positions as cached (after every layer appended them). */
    public void advance(int tokens) {
        length += tokens;
    }

    /** Keeps rows {@code index} (int64 [M]) of every layer, in that order: beam search's reordering. */
    public void select(NDArray index) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i] = keys[i].get(index);
                values[i] = values[i].get(index);
            }
        }
    }
}
