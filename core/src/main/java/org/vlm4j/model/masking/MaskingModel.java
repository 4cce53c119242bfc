package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.loss.Matching;
import org.vlm4j.loss.MaskedTokens;
import org.vlm4j.loss.Positives;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.MaskFiller;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.text.MlmVocabulary;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * What the masking families share: the BERT-style text rows ({@link MlmVocabulary}), how a step draws its random
 * masks (from the batch's data position, so a resumed run masks exactly as the uninterrupted one), the image-text
 * matching rows of a batch (positives, a negative text per image and a negative image per text, plus the dataset's
 * hard-negative captions when it has them), and the two capabilities every one of them offers on top of a pair
 * forward pass: {@link ImageTextScorer} (the ITM probability) and {@link MaskFiller}.
 */
public abstract class MaskingModel extends Module implements VlmModel, Pretrainable, ImageTextScorer, MaskFiller {
    /** Rows per forward pass of the inference methods, bounding activation memory. */
    protected static final int INFERENCE_BATCH = 64;

    protected final NDManager manager;
    protected final Tokenizer tokenizer;
    protected final MlmVocabulary vocab;
    private final ImagePreprocessor preprocessor;

    /** @param vocabSize the config's text vocabulary: the tokenizer's size (the model adds [MASK] and [PAD]) */
    protected MaskingModel(Tokenizer tokenizer, int vocabSize, PreprocessConfig preprocess) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("a masking model needs a text tokenizer");
        }
        if (tokenizer.vocabSize() != vocabSize) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model's"
                    + " vocab_size is " + vocabSize + " (they must agree: [MASK] and [PAD] follow the tokenizer's ids)");
        }
        this.tokenizer = tokenizer;
        this.vocab = new MlmVocabulary(tokenizer);
        this.preprocessor = new ImagePreprocessor(preprocess);
        Vlm4jEngine.init(); // the shim and malloc tuning must precede libtorch's loading
        this.manager = NDManager.newBaseManager();
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public MlmVocabulary vocabulary() {
        return vocab;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Text rows of this model. */
    protected abstract int contextLength();

    /** ITM logits [N, 2] of the pairs (image i, text row i). */
    protected abstract NDArray matchLogits(NDArray pixels, NDArray ids);

    /** MLM logits [N, L, vocab.size()] of the text rows given their images. */
    protected abstract NDArray maskedLogits(NDArray pixels, NDArray ids);

    // ------------------------------------------------------------------------------------------------ helpers

    protected static NDArray pixels(Batch b, NDManager m) {
        return m.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    }

    protected long[][] rows(List<String> texts) {
        return vocab.rows(texts, contextLength());
    }

    protected static NDArray ids(long[][] rows, NDManager m) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    /** [N, L] float, 1 at real tokens and 0 at [PAD] (key validity for {@link Masks#keyPadding}). */
    protected NDArray textValid(NDArray ids) {
        return ids.neq(vocab.pad()).toType(DataType.FLOAT32, false);
    }

    /** x[idx] along the first axis, as a one-hot matrix product (differentiable, and DJL-version proof). */
    protected static NDArray select(NDArray x, int[] idx) {
        long n = x.getShape().get(0);
        float[] onehot = new float[idx.length * (int) n];
        for (int i = 0; i < idx.length; i++) {
            onehot[i * (int) n + idx[i]] = 1f;
        }
        Shape rest = x.getShape().slice(1);
        NDArray s = x.getManager().create(onehot, new Shape(idx.length, n));
        return s.matMul(x.reshape(n, rest.size())).reshape(new Shape(idx.length).addAll(rest));
    }

    /** MLM targets as an int64 array. */
    protected static NDArray targets(MaskedTokens.Masked masked, NDManager m) {
        return ids(masked.targets(), m);
    }

    /** Applies BERT's rule to text rows. */
    protected MaskedTokens.Masked maskText(long[][] rows, float prob, SplittableRandom rng) {
        return MaskedTokens.mask(rows, vocab.maskable(rows), vocab.mask(), vocab.randomIds(), prob, rng);
    }

    /**
     * The step's random source, a function of where the step's data ends (and the model's own salt), so resuming
     * from a checkpoint draws the same masks and negatives as the uninterrupted run.
     */
    protected static SplittableRandom stepRandom(List<Batch> micro, long salt) {
        Batch last = micro.get(micro.size() - 1);
        long seed = salt;
        if (last.end() != null) {
            seed = seed * 0x9E3779B97F4A7C15L + last.end().epoch();
            seed = seed * 0x9E3779B97F4A7C15L + last.end().offset();
        }
        return new SplittableRandom(seed);
    }

    /** The dataset's hard-negative caption of each entry, or null where it has none. */
    protected static List<String> hardNegatives(Batch b) {
        List<String> out = new ArrayList<>(b.size());
        for (Map<String, String> meta : b.meta()) {
            String neg = meta.get(Clip.NEGATIVE_FIELD);
            out.add(neg == null || neg.isBlank() ? null : neg);
        }
        return out;
    }

    /** The rows of one step's image-text matching: which image, which text, matching or not. */
    public record MatchRows(int[] images, List<String> texts, int[] labels) {}

    /**
     * Every positive pair; for each image a negative text and for each text a negative image, sampled by
     * {@link Matching#sampleNegatives} (softmax over {@code similarity} [images][texts], or uniformly when null);
     * and each dataset hard-negative caption with its image. Identical captions count as positives of each other's
     * images, so they are never drawn as negatives.
     */
    public static MatchRows matchRows(List<String> captions, List<String> hardNegatives, float[][] similarity,
                                      SplittableRandom rng) {
        int n = captions.size();
        boolean[][] positives = Positives.sameText(captions, captions);
        int[] negText = Matching.sampleNegatives(similarity, positives, n, n, rng);
        int[] negImage = Matching.sampleNegatives(Matching.transpose(similarity), Matching.transpose(positives), n, n,
                rng);
        List<Integer> images = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            images.add(i);
            texts.add(captions.get(i));
            labels.add(1);
        }
        for (int i = 0; i < n; i++) {
            if (negText[i] >= 0) {
                images.add(i);
                texts.add(captions.get(negText[i]));
                labels.add(0);
            }
            if (negImage[i] >= 0) {
                images.add(negImage[i]);
                texts.add(captions.get(i));
                labels.add(0);
            }
            String hard = hardNegatives == null ? null : hardNegatives.get(i);
            if (hard != null && !hard.equals(captions.get(i))) {
                images.add(i);
                texts.add(hard);
                labels.add(0);
            }
        }
        return new MatchRows(images.stream().mapToInt(Integer::intValue).toArray(), texts,
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Adds a weighted loss term to the step's loss (null before the first) and to the reported terms. */
    protected static NDArray addTerm(Map<String, Float> terms, String name, NDArray loss, NDArray term, float weight) {
        NDArray w = org.vlm4j.nn.Scalars.mul(term, weight);
        terms.merge(name, w.getFloat(), Float::sum);
        return loss == null ? w : loss.add(w);
    }

    protected static void checkPixels(float[] pixels, int n, int height, int width) {
        long per = 3L * height * width;
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " pixel values for " + n + " images of 3x"
                    + height + "x" + width + ", got " + pixels.length);
        }
    }

    // ------------------------------------------------------------------------------------------------ capabilities

    /** The ITM match probability of every (image, text) pair. */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
        checkPixels(pixels, n, height, width);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("score needs at least one text");
        }
        int per = 3 * height * width;
        long[][] textRows = rows(texts);
        int t = texts.size();
        float[][] out = new float[n][t];
        int total = n * t;
        for (int start = 0; start < total; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, total - start);
            float[] px = new float[b * per];
            long[][] ids = new long[b][];
            for (int k = 0; k < b; k++) {
                int pair = start + k;
                System.arraycopy(pixels, pair / t * per, px, k * per, per);
                ids[k] = textRows[pair % t];
            }
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                float[] p = Matching.probability(matchLogits(m.create(px, new Shape(b, 3, height, width)), ids(ids, m)));
                for (int k = 0; k < b; k++) {
                    out[(start + k) / t][(start + k) % t] = p[k];
                }
            }
        }
        return out;
    }

    @Override
    public List<List<Fill>> fillMask(float[] pixels, int height, int width, String text, int topK) {
        checkPixels(pixels, 1, height, width);
        long[] row = rows(List.of(text))[0];
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
            if (row[i] == vocab.mask()) {
                at.add(i);
            }
        }
        if (at.isEmpty()) {
            throw new IllegalArgumentException("the text has no " + MlmVocabulary.MASK_TOKEN + " within the model's "
                    + contextLength() + " tokens: '" + text + "'");
        }
        int v = vocab.size();
        float[] probs;
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            probs = maskedLogits(m.create(pixels, new Shape(1, 3, height, width)), ids(new long[][] {row}, m))
                    .softmax(-1).toFloatArray();
        }
        List<List<Fill>> out = new ArrayList<>();
        for (int pos : at) {
            float[] p = Arrays.copyOfRange(probs, pos * v, (pos + 1) * v);
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
            List<Fill> fills = new ArrayList<>();
            for (int k = 0; k < Math.min(topK, v); k++) {
                fills.add(new Fill(vocab.token(order[k]), order[k], p[order[k]]));
            }
            out.add(fills);
        }
        return out;
    }
}
