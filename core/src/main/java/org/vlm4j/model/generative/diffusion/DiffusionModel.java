package org.vlm4j.model.generative.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.loss.DiffusionNoise;
import org.vlm4j.model.ImageGenerator;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.TextTransformer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * A text-conditioned pixel diffusion model (DDPM, Ho et al. 2020, with a DiT noise predictor,
 * {@link DiffusionTransformer}) and what it offers: training by the eps-prediction objective with condition dropout
 * (the empty caption is the unconditional model, for classifier-free guidance, Ho and Salimans 2022); images from
 * text by DDPM or DDIM sampling ({@link ImageGenerator}, settings from {@link #setSampling}); and a diffusion
 * classifier (Li et al. 2023, {@link ImageTextScorer}, {@link DiffusionClassifier}). Parameter names: {@code text.*}
 * (the caption tower, trained with the model), {@code dit.*}.
 */
public final class DiffusionModel extends Module implements VlmModel, Pretrainable, ImageGenerator, ImageTextScorer {
    public static final String FAMILY = "diffusion";
    /** Rows per forward pass at inference, bounding activation memory. */
    static final int INFERENCE_BATCH = 256;

    private final DiffusionConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final TextTransformer text;
    private final DiffusionTransformer dit;
    private final NoiseSchedule schedule;
    private final ImagePreprocessor preprocessor;
    private final long seed;
    private SamplingConfig sampling = SamplingConfig.defaults(0);
    private DiffusionClassifier.Rounds scoring = DiffusionClassifier.Rounds.exhaustive(64);

    public DiffusionModel(DiffusionConfig config, Tokenizer tokenizer, long seed) {
        if (tokenizer == null || tokenizer.vocabSize() > config.text().vocabSize()) {
            throw new IllegalArgumentException("a diffusion model needs a text tokenizer of at most "
                    + config.text().vocabSize() + " tokens, got " + (tokenizer == null ? "none" : tokenizer.vocabSize()));
        }
        Vlm4jEngine.init();
        this.config = config;
        this.tokenizer = tokenizer;
        this.seed = seed;
        this.manager = NDManager.newBaseManager();
        Init init = new Init(manager, seed);
        this.text = child("text", new TextTransformer(init, config.text()));
        this.dit = child("dit", new DiffusionTransformer(init, config));
        this.schedule = NoiseSchedule.of(config.schedule(), config.timesteps());
        this.preprocessor = new ImagePreprocessor(config.preprocess());
    }

    public static DiffusionModel create(DiffusionConfig config, Tokenizer tokenizer, long seed) {
        return new DiffusionModel(config, tokenizer, seed);
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public DiffusionConfig config() {
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

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    NDManager manager() {
        return manager;
    }

    /** Floats per image: 3 * S * S. */
    public int imageValues() {
        return 3 * config.imageSize() * config.imageSize();
    }

    /**
     * Caption token states [N, L, D], their padding mask [N, 1, 1, L] and the pooled state [N, D] (at end of text);
     * the empty caption is "no condition".
     */
    NDArray[] textContext(List<String> captions, NDManager m) {
        NDArray[] c = conditioning(captions, m);
        return new NDArray[] {c[0], Masks.keyPadding(c[1]), c[2]};
    }

    /**
     * What conditions the DiT on each caption: token states [N, L, D] (L = text.context_length), which of them are
     * real (1, up to and including end of text) or padding (0) [N, L], and the pooled state [N, D]. The target of an
     * external conditioner (MiniGPT-5's voken mapper), which {@link #sample(Conditioning, SamplingConfig)} takes back.
     */
    public NDArray[] conditioning(List<String> captions, NDManager m) {
        long[][] rows = tokenizer.tokenize(captions, config.text().contextLength());
        int l = rows[0].length;
        long[] flat = new long[rows.length * l];
        float[] valid = new float[rows.length * l];
        int pad = tokenizer.padId();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * l, l);
            boolean ended = false;
            for (int j = 0; j < l; j++) {
                // a token is real up to and including eot (the pad id may equal a real id, e.g. 0)
                valid[i * l + j] = ended ? 0 : 1;
                ended |= rows[i][j] == tokenizer.eotId();
            }
        }
        NDArray ids = m.create(flat, new Shape(rows.length, l));
        NDArray states = text.tokens(ids);
        return new NDArray[] {states, m.create(valid, new Shape(rows.length, l)), text.pool(states, ids)};
    }

    /**
     * A conditioning made outside the text tower, rows of {@link #conditioning}'s shapes flattened: states
     * [rows * L * D], valid [rows * L] (1 real, 0 padding; at least one real per row), pooled [rows * D].
     */
    public record Conditioning(int rows, float[] states, float[] valid, float[] pooled) {}

    /** eps_theta(x_t, t, c) [N, 3, S, S]. */
    NDArray predictNoise(NDArray x, int[] t, NDArray[] ctx) {
        return dit.forward(x, t, ctx[0], ctx[1], ctx[2]);
    }

    /**
     * Per micro-batch: a timestep uniform in [0, T) and Gaussian noise per image, the caption replaced by the empty
     * one with probability cond_dropout, loss = mean (eps - eps_theta)^2. The draws are a function of the model's seed
     * and the batch's data position, so a resumed run draws the same noise.
     */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        float total = 0;
        for (Batch b : micro) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + b.end().epoch() * 1_000_003L
                    + b.end().offset());
            int d = b.imageFloats();
            if (b.height() != config.imageSize() || b.width() != config.imageSize()) {
                throw new IllegalArgumentException("batch images are " + b.height() + "x" + b.width() + ", the model"
                        + " takes " + config.imageSize() + "x" + config.imageSize());
            }
            int[] t = new int[b.size()];
            float[] eps = Sampler.gaussian(rng, b.size() * d);
            float[] xt = new float[b.size() * d];
            List<String> captions = new ArrayList<>(b.size());
            for (int i = 0; i < b.size(); i++) {
                t[i] = rng.nextInt(config.timesteps());
                captions.add(rng.nextDouble() < config.condDropout() ? "" : b.captions().get(i));
                double ab = schedule.alphaBar(t[i]);
                float sa = (float) Math.sqrt(ab);
                float sn = (float) Math.sqrt(1 - ab);
                for (int k = i * d; k < (i + 1) * d; k++) {
                    xt[k] = sa * b.pixels()[k] + sn * eps[k];
                }
            }
            Shape shape = new Shape(b.size(), 3, b.height(), b.width());
            NDArray[] ctx = textContext(captions, m);
            NDArray pred = predictNoise(m.create(xt, shape), t, ctx);
            NDArray loss = DiffusionNoise.loss(pred, m.create(eps, shape));
            total += loss.getFloat() / micro.size();
            gc.backward(micro.size() == 1 ? loss : Scalars.mul(loss, 1f / micro.size()));
        }
        return Map.of("diffusion_loss", total);
    }

    /** What {@link #generateImages} uses (its seed is replaced by the generation config's). */
    public void setSampling(SamplingConfig sampling) {
        this.sampling = sampling;
    }

    public SamplingConfig sampling() {
        return sampling;
    }

    /** Images for texts, RGB in [0, 1], [n][3 * S * S] CHW, in chunks of 64 texts (chunk k seeded by seed + k). */
    public float[][] sample(List<String> texts, SamplingConfig cfg) {
        float[][] out = new float[texts.size()][];
        int chunk = 64;
        for (int start = 0; start < texts.size(); start += chunk) {
            List<String> part = texts.subList(start, Math.min(texts.size(), start + chunk));
            float[] x = sampleChunk(part, cfg.withSeed(cfg.seed() + start / chunk));
            toUnit(x, part.size(), out, start);
        }
        return out;
    }

    /**
     * Images drawn with the same sampler from an external conditioning ({@link Conditioning}) instead of a caption's;
     * classifier-free guidance mixes it with the empty caption's prediction, as for text. Chunks as {@link #sample}.
     */
    public float[][] sample(Conditioning c, SamplingConfig cfg) {
        int l = config.text().contextLength();
        int d = config.text().width();
        if (c.states().length != c.rows() * l * d || c.valid().length != c.rows() * l
                || c.pooled().length != c.rows() * d) {
            throw new IllegalArgumentException("a conditioning of " + c.rows() + " rows needs " + l + " x " + d
                    + " states, " + l + " validity flags and " + d + " pooled values per row, got " + c.states().length
                    + ", " + c.valid().length + ", " + c.pooled().length);
        }
        float[][] out = new float[c.rows()][];
        int chunk = 64;
        for (int start = 0; start < c.rows(); start += chunk) {
            int n = Math.min(c.rows(), start + chunk) - start;
            int from = start;
            float w = cfg.guidance();
            float[] x = sampleChunk(n, cfg.withSeed(cfg.seed() + start / chunk), m -> {
                NDArray states = m.create(java.util.Arrays.copyOfRange(c.states(), from * l * d, (from + n) * l * d),
                        new Shape(n, l, d));
                NDArray valid = m.create(java.util.Arrays.copyOfRange(c.valid(), from * l, (from + n) * l),
                        new Shape(n, l));
                NDArray pooled = m.create(java.util.Arrays.copyOfRange(c.pooled(), from * d, (from + n) * d),
                        new Shape(n, d));
                NDArray[] a = {states, Masks.keyPadding(valid), pooled};
                if (w == 1) {
                    return a;
                }
                NDArray[] b = textContext(java.util.Collections.nCopies(n, ""), m); // the unconditional rows
                if (w == 0) {
                    return b;
                }
                return new NDArray[] {a[0].concat(b[0], 0), a[1].concat(b[1], 0), a[2].concat(b[2], 0)};
            });
            toUnit(x, n, out, start);
        }
        return out;
    }

    /** Samples in [-1, 1] -> images in [0, 1], into out[start..start + n). */
    private void toUnit(float[] x, int n, float[][] out, int start) {
        int v = imageValues();
        for (int i = 0; i < n; i++) {
            float[] img = new float[v];
            for (int k = 0; k < v; k++) {
                img[k] = Math.min(1f, Math.max(0f, (x[i * v + k] + 1) / 2));
            }
            out[start + i] = img;
        }
    }

    private float[] sampleChunk(List<String> texts, SamplingConfig cfg) {
        int n = texts.size();
        float w = cfg.guidance();
        return sampleChunk(n, cfg, m -> {
            List<String> both = new ArrayList<>();
            if (w != 0) {
                both.addAll(texts);
            }
            if (w != 1) {
                both.addAll(java.util.Collections.nCopies(n, ""));
            }
            return textContext(both, m);
        });
    }

    /**
     * The DiT's inputs (states, additive key mask, pooled): the conditioned rows then, with guidance, the empty
     * caption's.
     */
    private interface ContextSource {
        NDArray[] context(NDManager m);
    }

    private float[] sampleChunk(int n, SamplingConfig cfg, ContextSource source) {
        int s = config.imageSize();
        float w = cfg.guidance();
        try (NDScope outer = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            NDArray[] ctx = source.context(m);
            int rows = (int) ctx[0].getShape().get(0);
            return Sampler.sample(schedule, cfg, n * imageValues(), (x, t) -> {
                try (NDScope step = new NDScope()) {
                    NDArray xs = m.create(x, new Shape(n, 3, s, s));
                    NDArray in = rows == n ? xs : NDArrays.concat(new NDList(xs, xs), 0);
                    int[] ts = new int[rows];
                    java.util.Arrays.fill(ts, t);
                    float[] e = predictNoise(in, ts, ctx).toFloatArray();
                    if (rows == n) {
                        return e;
                    }
                    int half = n * imageValues();
                    float[] out = new float[half];
                    for (int k = 0; k < half; k++) {
                        out[k] = e[half + k] + w * (e[k] - e[half + k]);
                    }
                    return out;
                }
            });
        }
    }

    /** One image per text with the current {@link #sampling()} settings and {@code generation.seed()}. */
    @Override
    public float[][] generateImages(List<String> texts, GenerationConfig generation) {
        return sample(texts, sampling.withSeed(generation.seed()));
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    /** The samples (evenly spaced timesteps, shared noise) {@link #score} averages over; 64 by default. */
    public void setScoring(DiffusionClassifier.Rounds rounds) {
        this.scoring = rounds;
    }

    /**
     * Diffusion-classifier scores, -mean over (t, eps) of ||eps - eps_theta(x_t, t, c)||^2 (per pixel), with the same
     * noise and timesteps for every text and image ({@link #setScoring}; no elimination: every pair is scored).
     */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
        return new DiffusionClassifier(this, scoring).classify(pixels, n, height, width, texts).scores();
    }

    @Override
    public void close() {
        manager.close();
    }
}
