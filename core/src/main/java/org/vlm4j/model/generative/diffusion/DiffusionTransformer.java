package org.vlm4j.model.generative.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Transformer;

/**
 * The noise predictor eps_theta(x_t, t, c): a DiT (Peebles and Xie 2023) on the shared {@link Transformer}. Patches
 * of x_t are embedded linearly with a learned positional table; the timestep's sinusoidal embedding goes through an
 * MLP and, with a projection of the caption's pooled state (as Imagen adds its pooled text embedding to the time
 * embedding), is added to every patch token; every block cross-attends to the caption's token states.
 *
 * <p>Why cross-attention and not adaLN-Zero: the shared pre-LN block already has a cross-attention sub-layer, so the
 * text and the timestep condition the model with no change to the block every family shares (adaLN-Zero would need
 * per-block scale/shift/gate modulations inside it). Cross-attention also keeps the caption's word order available
 * to the image tokens, which the compositional tests (and the diffusion classifier) depend on; a single pooled
 * vector, as adaLN takes, would lose it. The head is zero-initialised (DiT's zero-init of the last layer), so the
 * untrained model predicts eps = 0.
 *
 * <p>Parameter names: {@code patch_embed.*}, {@code pos_embed}, {@code time_mlp.{fc1,fc2}.*}, {@code text_pool.*},
 * {@code transformer.*},
 * {@code ln_out.*}, {@code head.*}.
 */
public final class DiffusionTransformer extends Module {
    private final DiffusionConfig config;
    private final Linear patchEmbed;
    private final Param posEmbed;
    private final Linear timeFc1;
    private final Linear timeFc2;
    private final Linear textPool;
    private final Transformer transformer;
    private final LayerNorm lnOut;
    private final Linear head;

    public DiffusionTransformer(Init init, DiffusionConfig c) {
        this.config = c;
        int w = c.width();
        this.patchEmbed = child("patch_embed", new Linear(init, c.patchValues(), w, true));
        this.posEmbed = param("pos_embed", init.normal(1 / Math.sqrt(w), (long) c.grid() * c.grid(), w));
        TimeMlp time = child("time_mlp", new TimeMlp());
        this.timeFc1 = time.add("fc1", new Linear(init, w, w, true));
        this.timeFc2 = time.add("fc2", new Linear(init, w, w, true));
        this.textPool = child("text_pool", new Linear(init, c.text().width(), w, true));
        this.transformer = child("transformer", new Transformer(init, c.block(), c.layers()));
        this.lnOut = child("ln_out", new LayerNorm(init, w, 1e-6f));
        this.head = child("head", new Linear(init, w, c.patchValues(), true, 0.0));
    }

    /**
     * @param x       noisy images [N, 3, S, S]
     * @param t       timestep of each image
     * @param context caption token states [N, L, Dtext]
     * @param mask    additive key mask of the context [N, 1, 1, L] (padding), or null
     * @param pooled  the caption's pooled state [N, Dtext] (its end-of-text token)
     * @return predicted noise [N, 3, S, S]
     */
    public NDArray forward(NDArray x, int[] t, NDArray context, NDArray mask, NDArray pooled) {
        long n = x.getShape().get(0);
        int p = config.patchSize();
        int g = config.grid();
        NDArray patches = x.reshape(n, 3, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(n, (long) g * g,
                config.patchValues());
        NDArray h = patchEmbed.forward(patches).add(posEmbed.array());
        NDArray temb = timeFc2.forward(Activation.GELU.apply(timeFc1.forward(timestepEmbedding(x.getManager(), t))));
        h = h.add(temb.add(textPool.forward(pooled)).expandDims(1));
        h = transformer.forward(h, null, context, mask);
        NDArray out = head.forward(lnOut.forward(h)); // [N, g*g, 3*p*p]
        return out.reshape(n, g, g, 3, p, p).transpose(0, 3, 1, 4, 2, 5).reshape(n, 3, (long) g * p, (long) g * p);
    }

    /** Sinusoidal embeddings [N, width] of the timesteps (cos | sin halves, periods up to 10,000), as in DDPM. */
    NDArray timestepEmbedding(NDManager m, int[] t) {
        int w = config.width();
        int half = w / 2;
        float[] v = new float[t.length * w];
        for (int i = 0; i < t.length; i++) {
            for (int k = 0; k < half; k++) {
                double freq = Math.exp(-Math.log(10000) * k / half);
                v[i * w + k] = (float) Math.cos(t[i] * freq);
                v[i * w + half + k] = (float) Math.sin(t[i] * freq);
            }
        }
        return m.create(v, new Shape(t.length, w));
    }

    /** Names the timestep MLP's two layers under {@code time_mlp}. */
    private static final class TimeMlp extends Module {
        Linear add(String name, Linear l) {
            return child(name, l);
        }
    }
}
