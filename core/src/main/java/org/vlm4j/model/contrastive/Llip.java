package org.vlm4j.model.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.nn.Attention;
import org.vlm4j.nn.AttentionPool;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.text.Tokenizer;

/**
 * Llip (Lavoie et al. 2024, "Modeling Caption Diversity in Contrastive Vision-Language Pretraining"): the image tower
 * ends in K visual mixture tokens instead of one embedding, and each caption mixes them into its own image embedding
 * by cross-attention, the caption's embedding as the query. Trained with CLIP's or SigLIP's objective on the matrix of
 * caption-conditioned similarities; so pair (image i, caption j) is scored with image i's tokens mixed by caption j.
 *
 * <p>The paper appends K learned tokens to the ViT's input; here K learned queries pool the ViT's output tokens
 * (the shared {@link AttentionPool}), which keeps the image tower identical to CLIP's (the llip-vs-clip comparison
 * then differs in the pooling alone). The mixing is the shared {@link Attention} in cross mode: per image, the
 * captions are the query sequence and the mixture tokens the context, one batched call for the whole matrix.
 * Without a caption ({@link #encodeImages}), the image embedding is the mean of the mixture tokens.
 */
public class Llip extends Clip implements ImageTextScorer {
    public static final String FAMILY = "llip";

    private final AttentionPool mixture;
    private final Attention mix;

    public Llip(ClipConfig config, Tokenizer tokenizer, long seed) {
        super(requireLlip(config), tokenizer, seed);
        Init init = new Init(manager(), seed + 1); // the towers drew from seed; the head from its own stream
        int width = config.vision().width();
        int e = config.embedDim();
        this.mixture = child("mixture", new AttentionPool(init, width, config.vision().heads(),
                config.llip().mixtureTokens(), false, 0, config.vision().activation(), config.vision().lnEps()));
        this.mix = child("mix", new Attention(init, e, config.llip().heads(), e, true, false, config.vision().lnEps()));
    }

    private static ClipConfig requireLlip(ClipConfig c) {
        if (!c.family().equals(FAMILY)) {
            throw new IllegalArgumentException("Llip needs family 'llip', got '" + c.family() + "'");
        }
        return c;
    }

    /** The K mixture tokens, projected to the embedding width and L2-normalised: [N, K, E]. */
    public NDArray mixtureTokens(NDArray pixels) {
        return normalize(visual().project(mixture.forward(visual().tokens(pixels))));
    }

    /** The caption-free image embedding: the mean of the mixture tokens [N, E] (not normalised). */
    @Override
    public NDArray imageFeatures(NDArray pixels) {
        return mixtureTokens(pixels).mean(new int[] {1});
    }

    @Override
    protected NDArray trainingImage(NDArray pixels) {
        return mixtureTokens(pixels);
    }

    /**
     * Mixture tokens [N, K, E] and normalised captions [M, E] -> cosine similarities [N, M] of each caption with the
     * image embedding that caption mixes: attention of every caption (query) over each image's K tokens.
     */
    @Override
    protected NDArray similarity(NDArray mixtureTokens, NDArray texts) {
        long n = mixtureTokens.getShape().get(0);
        Shape t = texts.getShape();
        NDArray queries = texts.expandDims(0).broadcast(n, t.get(0), t.get(1));
        NDArray mixed = normalize(mix.forward(queries, mixtureTokens, null)); // [N, M, E]
        return mixed.mul(queries).sum(new int[] {2});
    }

    /** Caption-conditioned cosine similarity of every (image, text) pair: what zero-shot and Winoground rank by. */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
        float[][] textEmbeds = encodeTexts(texts);
        float[] flatTexts = new float[texts.size() * embedDim()];
        for (int j = 0; j < texts.size(); j++) {
            System.arraycopy(textEmbeds[j], 0, flatTexts, j * embedDim(), embedDim());
        }
        float[][] out = new float[n][];
        long per = 3L * height * width;
        for (int start = 0; start < n; start += 32) {
            int b = Math.min(32, n - start);
            float[] chunk = java.util.Arrays.copyOfRange(pixels, (int) (start * per), (int) ((start + b) * per));
            try (NoGrad g = new NoGrad(); NDManager m = manager().newSubManager()) {
                NDArray sim = similarity(mixtureTokens(m.create(chunk, new Shape(b, 3, height, width))),
                        m.create(flatTexts, new Shape(texts.size(), embedDim())));
                float[] flat = sim.toFloatArray();
                for (int i = 0; i < b; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * texts.size(), (i + 1) * texts.size());
                }
            }
        }
        return out;
    }
}
