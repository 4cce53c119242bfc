package org.vlm4j.model.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.TextTransformer;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;
import org.vlm4j.data.Batch;
import org.vlm4j.loss.InfoNce;
import org.vlm4j.loss.LogitScale;
import org.vlm4j.loss.Positives;
import org.vlm4j.loss.SigmoidLoss;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Map;

/**
 * CLIP: a ViT image tower and a text tower projected into one space, logits = exp(logit_scale) * cosine
 * (+ logit_bias when configured, as OpenCLIP's sigmoid-loss models). Parameter names: {@code visual.*},
 * {@code text.*}, {@code logit_scale}, {@code logit_bias}.
 */
public class Clip extends Module implements ImageTextEncoder, VlmModel, Pretrainable {
    public static final String FAMILY = "clip";
    /** Rows per forward pass in the encode methods, bounding activation memory. */
    private static final int INFERENCE_BATCH = 64;

    private final ClipConfig config;
    private final NDManager manager;
    private final Tokenizer tokenizer;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final Param logitScale;
    private final Param logitBias;
    private final ImagePreprocessor preprocessor;

    public Clip(ClipConfig config, Tokenizer tokenizer, long seed) {
        this.config = config;
        this.tokenizer = tokenizer;
        Vlm4jEngine.init(); // the shim and malloc tuning must precede libtorch's loading
        this.manager = NDManager.newBaseManager();
        Init init = new Init(manager, seed);
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.text = child("text", new TextTransformer(init, config.text()));
        this.logitScale = param("logit_scale", manager.create(config.logitScaleInit()));
        this.preprocessor = new ImagePreprocessor(config.preprocess());
        this.logitBias = config.logitBiasInit() == null ? null : param("logit_bias", manager.create(config.logitBiasInit()));
    }

    @Override
    public String family() {
        return config.family();
    }

    @Override
    public ClipConfig config() {
        return config;
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public NDManager manager() {
        return manager;
    }

    public VisionTransformer visual() {
        return visual;
    }

    public TextTransformer text() {
        return text;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    @Override
    public int embedDim() {
        return config.embedDim();
    }

    /** Unnormalised image features [N, E] (what OpenCLIP's encode_image returns). */
    public NDArray imageFeatures(NDArray pixels) {
        return visual.encode(pixels);
    }

    /** Unnormalised text features [N, E] (OpenCLIP's encode_text). */
    public NDArray textFeatures(NDArray ids) {
        return text.encode(ids);
    }

    public Param logitScale() {
        return logitScale;
    }

    /** Null when the model has no bias. */
    public Param logitBias() {
        return logitBias;
    }

    public static NDArray normalize(NDArray features) {
        return features.div(features.norm(new int[] {-1}, true));
    }

    @Override
    public float[][] encodePixels(float[] pixels, int n, int height, int width) {
        long per = 3L * height * width;
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " pixel values for " + n + " images of 3x" + height
                    + "x" + width + ", got " + pixels.length);
        }
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            float[] chunk = new float[(int) (b * per)];
            System.arraycopy(pixels, (int) (start * per), chunk, 0, chunk.length);
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(chunk, new Shape(b, 3, height, width));
                copyRows(normalize(imageFeatures(x)).toFloatArray(), out, start, b);
            }
        }
        return out;
    }

    /** Token ids [n][L] -> normalised embeddings. */
    public float[][] encodeTokenIds(long[][] ids) {
        int n = ids.length;
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            int l = ids[start].length;
            long[] flat = new long[b * l];
            for (int i = 0; i < b; i++) {
                if (ids[start + i].length != l) {
                    throw new IllegalArgumentException("token rows must have equal length");
                }
                System.arraycopy(ids[start + i], 0, flat, i * l, l);
            }
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(flat, new Shape(b, l));
                copyRows(normalize(textFeatures(x)).toFloatArray(), out, start, b);
            }
        }
        return out;
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        if (tokenizer == null) {
            throw new IllegalStateException("this model has no tokenizer; use encodeTokenIds");
        }
        return encodeTokenIds(tokenizer.tokenize(texts, config.text().contextLength()));
    }

    private void copyRows(float[] flat, float[][] out, int start, int rows) {
        int d = flat.length / rows;
        for (int i = 0; i < rows; i++) {
            out[start + i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
    }

    public float logitScaleExp() {
        return (float) Math.exp(logitScale.array().toFloatArray()[0]);
    }

    /** 0 for models without a bias. */
    public float logitBiasValue() {
        return logitBias == null ? 0f : logitBias.array().toFloatArray()[0];
    }

    @Override
    public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
        float scale = logitScaleExp();
        float bias = logitBiasValue();
        float[][] out = new float[imageEmbeds.length][textEmbeds.length];
        for (int i = 0; i < imageEmbeds.length; i++) {
            for (int j = 0; j < textEmbeds.length; j++) {
                float dot = 0;
                for (int k = 0; k < imageEmbeds[i].length; k++) {
                    dot += imageEmbeds[i][k] * textEmbeds[j][k];
                }
                out[i][j] = scale * dot + bias;
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The contrastive loss of normalised features: InfoNCE for CLIP, the sigmoid loss for SigLIP. */
    public NDArray contrastiveLoss(NDArray image, NDArray text, NDArray scale, NDArray bias) {
        return contrastiveLoss(image, text, null, scale, bias);
    }

    /** With hard-negative captions [M, D] (or null) as extra image-to-text candidates (NegCLIP). */
    public NDArray contrastiveLoss(NDArray image, NDArray text, NDArray negatives, NDArray scale, NDArray bias) {
        return contrastiveLoss(image, text, negatives, scale, bias, null);
    }

    /** With several positives per image ({@link Positives}; null: the diagonal). */
    public NDArray contrastiveLoss(NDArray image, NDArray text, NDArray negatives, NDArray scale, NDArray bias,
                                   boolean[][] positives) {
        NDArray similarity = similarity(image, negatives == null ? text : text.concat(negatives, 0));
        return config.logitBiasInit() != null ? SigmoidLoss.fromSimilarity(similarity, scale, bias, positives)
                : InfoNce.fromSimilarity(similarity, scale, positives);
    }

    /** What training compares with the captions: normalised image embeddings [N, E] (Llip: its mixture tokens). */
    protected NDArray trainingImage(NDArray pixels) {
        return normalize(imageFeatures(pixels));
    }

    /** Cosine similarities [N, M] of {@link #trainingImage} rows with normalised text embeddings [M, E]. */
    protected NDArray similarity(NDArray image, NDArray texts) {
        return image.matMul(texts.transpose());
    }

    /**
     * Identical captions in one step's batch are positives of each other's images (and a hard negative identical
     * to another image's caption is a positive of that image): a text tower cannot tell them apart.
     */
    private static boolean[][] positives(List<Batch> micro) {
        List<String> rows = new ArrayList<>();
        List<String> negatives = new ArrayList<>();
        for (Batch b : micro) {
            rows.addAll(b.captions());
            for (Map<String, String> meta : b.meta()) {
                String neg = meta.get(NEGATIVE_FIELD);
                if (neg != null && !neg.isBlank()) {
                    negatives.add(neg);
                }
            }
        }
        List<String> columns = new ArrayList<>(rows);
        columns.addAll(negatives);
        return Positives.sameText(rows, columns);
    }

    /**
     * The metadata field a dataset uses to give an entry a hard-negative caption (a Shapes table's "negative"
     * column, a shard's NNNNNN.negative member); entries without one add none.
     */
    public static final String NEGATIVE_FIELD = "negative";

    /** The batch's hard-negative captions, normalised [M, D], or null when it has none. */
    private NDArray negatives(Batch b, NDManager m) {
        List<String> negs = new ArrayList<>();
        for (Map<String, String> meta : b.meta()) {
            String neg = meta.get(NEGATIVE_FIELD);
            if (neg != null && !neg.isBlank()) {
                negs.add(neg);
            }
        }
        return negs.isEmpty() ? null : normalize(textFeatures(ids(negs, m)));
    }

    private NDArray pixels(Batch b, NDManager m) {
        return m.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    }

    private NDArray ids(Batch b, NDManager m) {
        return ids(b.captions(), m);
    }

    private NDArray ids(List<String> captions, NDManager m) {
        if (tokenizer == null) {
            throw new IllegalStateException("training needs a tokenizer");
        }
        long[][] rows = tokenizer.tokenize(captions, config.text().contextLength());
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    /**
     * One step's forward and backward. With several micro-batches this is OpenCLIP's --accum-freq: features of all
     * micro-batches are first computed without gradient, then each micro-batch is recomputed with gradient and
     * spliced in, so every loss sees the negatives of the whole accumulated batch; the logit scale and bias take
     * their gradient from the first pass only, so they are not counted once per micro-batch.
     */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        NDArray scale = logitScale.array();
        NDArray bias = logitBias == null ? null : logitBias.array();
        if (micro.size() == 1) {
            Batch b = micro.get(0);
            NDArray loss = contrastiveLoss(trainingImage(pixels(b, m)), normalize(textFeatures(ids(b, m))),
                    negatives(b, m), scale, bias, positives(micro));
            float value = loss.getFloat();
            gc.backward(loss);
            return Map.of("contrastive_loss", value);
        }
        List<NDArray> img = new ArrayList<>();
        List<NDArray> txt = new ArrayList<>();
        List<NDArray> neg = new ArrayList<>();
        List<NDArray> tokens = new ArrayList<>();
        try (NoGrad g = new NoGrad()) {
            for (Batch b : micro) {
                NDArray ids = ids(b, m);
                tokens.add(ids);
                img.add(trainingImage(pixels(b, m)));
                txt.add(normalize(textFeatures(ids)));
                neg.add(negatives(b, m));
            }
        }
        float value = Float.NaN;
        boolean[][] positives = positives(micro);
        for (int j = 0; j < micro.size(); j++) {
            List<NDArray> imgJ = new ArrayList<>(img);
            List<NDArray> txtJ = new ArrayList<>(txt);
            imgJ.set(j, trainingImage(pixels(micro.get(j), m)));
            txtJ.set(j, normalize(textFeatures(tokens.get(j))));
            List<NDArray> negJ = new ArrayList<>(neg);
            negJ.set(j, negatives(micro.get(j), m));
            negJ.removeIf(java.util.Objects::isNull);
            NDArray s = j == 0 ? scale : scale.stopGradient();
            NDArray b = bias == null ? null : j == 0 ? bias : bias.stopGradient();
            NDArray loss = contrastiveLoss(concat(imgJ), concat(txtJ), negJ.isEmpty() ? null : concat(negJ), s, b,
                    positives);
            if (j == 0) {
                value = loss.getFloat();
            }
            gc.backward(loss);
        }
        return Map.of("contrastive_loss", value);
    }

    private static NDArray concat(List<NDArray> parts) {
        return NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
    }

    /** OpenCLIP clamps the logit scale to [0, ln 100] after every update. */
    @Override
    public void afterUpdate() {
        LogitScale.clamp(logitScale);
    }
}
