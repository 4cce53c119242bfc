package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.text.Tokenizer;

/**
 * A masking model with separate image and text towers aligned by a contrastive term (FLAVA, MaskVLM), so it is also an
 * {@link ImageTextEncoder}: zero-shot, retrieval, the index and the server work on it unchanged.
 */
public abstract class DualEncoderModel extends MaskingModel implements ImageTextEncoder {
    protected DualEncoderModel(Tokenizer tokenizer, int vocabSize, PreprocessConfig preprocess) {
        super(tokenizer, vocabSize, preprocess);
    }

    /** pixels [N, 3, H, W] -> L2-normalised embeddings [N, E]. */
    protected abstract NDArray imageEmbeddingOf(NDArray pixels);

    /** ids [N, L] -> L2-normalised embeddings [N, E]. */
    protected abstract NDArray textEmbeddingOf(NDArray ids);

    /** The learned log logit scale. */
    protected abstract Param logitScale();

    @Override
    public float[][] encodePixels(float[] pixels, int n, int height, int width) {
        checkPixels(pixels, n, height, width);
        int per = 3 * height * width;
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(Arrays.copyOfRange(pixels, start * per, (start + b) * per),
                        new Shape(b, 3, height, width));
                split(imageEmbeddingOf(x).toFloatArray(), out, start, b);
            }
        }
        return out;
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        long[][] rows = rows(texts);
        float[][] out = new float[rows.length][];
        for (int start = 0; start < rows.length; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, rows.length - start);
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                split(textEmbeddingOf(ids(Arrays.copyOfRange(rows, start, start + b), m)).toFloatArray(), out, start,
                        b);
            }
        }
        return out;
    }

    @Override
    public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
        float scale = (float) Math.exp(logitScale().array().getFloat());
        float[][] out = new float[imageEmbeds.length][textEmbeds.length];
        for (int i = 0; i < imageEmbeds.length; i++) {
            for (int j = 0; j < textEmbeds.length; j++) {
                float dot = 0;
                for (int d = 0; d < imageEmbeds[i].length; d++) {
                    dot += imageEmbeds[i][d] * textEmbeds[j][d];
                }
                out[i][j] = scale * dot;
            }
        }
        return out;
    }

    /** Cosine similarities of two normalised embedding batches as a Java matrix, without gradient. */
    protected static float[][] similarities(NDArray image, NDArray text, float scale) {
        try (NoGrad g = new NoGrad()) {
            int n = (int) image.getShape().get(0);
            int k = (int) text.getShape().get(0);
            float[] flat = image.matMul(text.transpose()).toFloatArray();
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
                for (int j = 0; j < k; j++) {
                    out[i][j] *= scale;
                }
            }
            return out;
        }
    }

    private static void split(float[] flat, float[][] out, int start, int rows) {
        int d = flat.length / rows;
        for (int i = 0; i < rows; i++) {
            out[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
    }
}
