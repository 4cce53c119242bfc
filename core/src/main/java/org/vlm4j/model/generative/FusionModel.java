package org.vlm4j.model.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.loss.NextToken;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageGenerator;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.KvCache;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * The early-fusion token model (Chameleon, CM3leon), first cut: one causal {@link TextDecoder} over text tokens and
 * image codes ({@link FusionVocabulary}), trained by next-token prediction on both orders of every image-caption
 * pair (caption then image, image then caption); the frozen VQ-VAE inside turns training images into codes and
 * generated codes into images. Writes text about an image ({@link Captioner}) and an image from text
 * ({@link #generateImages}: one grid of codes, greedy or sampled; greedy grids collapse to the commonest code, the
 * background, so drawing samples). Not yet here: QK-norm and Chameleon's normalisation
 * placement (the shared decoder is pre-LN without QK-norm), retrieval augmentation and the instruction-tuning
 * stage of CM3leon. Parameter names: {@code decoder.*}, {@code image_tokenizer.*}.
 */
public final class FusionModel extends Module implements VlmModel, Pretrainable, Captioner, ImageGenerator {
    public static final String FAMILY = "fusion";

    private final FusionConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final TextDecoder decoder;
    private final VqVae image;
    private final FusionVocabulary vocab;

    public FusionModel(FusionConfig config, Tokenizer tokenizer, long seed) {
        if (tokenizer == null || tokenizer.vocabSize() != config.textVocabSize()) {
            throw new IllegalArgumentException("a fusion model needs its text tokenizer of " + config.textVocabSize()
                    + " tokens, got " + (tokenizer == null ? "none" : tokenizer.vocabSize()));
        }
        Vlm4jEngine.init();
        this.config = config;
        this.tokenizer = tokenizer;
        this.manager = NDManager.newBaseManager();
        this.decoder = child("decoder", new TextDecoder(new Init(manager, seed), config.decoder()));
        this.image = child("image_tokenizer", new VqVae(config.image(), seed + 1));
        image.setTrainable(false);
        this.vocab = new FusionVocabulary(config.textVocabSize(), config.image().codebookSize());
    }

    public static FusionModel create(FusionConfig config, Tokenizer tokenizer, long seed) {
        return new FusionModel(config, tokenizer, seed);
    }

    /** Copies the weights of a trained VQ-VAE of the same config into the frozen image tokenizer. */
    public void setImageTokenizer(VqVae trained) {
        if (!trained.config().equals(config.image())) {
            throw new IllegalArgumentException("the VQ-VAE's config differs from this model's image config: "
                    + trained.config() + " vs " + config.image());
        }
        Map<String, Param> from = trained.namedParams();
        image.namedParams().forEach((n, p) -> p.set(from.get(n).array().toFloatArray()));
    }

    public VqVae imageTokenizer() {
        return image;
    }

    public FusionVocabulary vocabulary() {
        return vocab;
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public FusionConfig config() {
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
        return image.preprocessor();
    }

    private int cells() {
        return image.gridHeight() * image.gridWidth();
    }

    /** Both orders of every pair of every micro-batch: mean next-token loss over non-padding targets. */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        float total = 0;
        for (Batch b : micro) {
            int[][] codes = image.tokenize(b.pixels(), b.size(), b.height(), b.width());
            List<long[]> sequences = new ArrayList<>();
            for (int i = 0; i < b.size(); i++) {
                long[] text = FusionVocabulary.caption(tokenizer, b.captions().get(i), config.textContext());
                sequences.add(vocab.captionToImage(text, codes[i]));
                sequences.add(vocab.imageToCaption(codes[i], text));
            }
            FusionVocabulary.Rows rows = vocab.rows(sequences, config.rowLength());
            NDArray logits = decoder.logits(ids(m, rows.inputs()), null, null);
            NDArray loss = NextToken.loss(logits, ids(m, rows.targets()), vocab.pad());
            total += loss.getFloat() / micro.size();
            gc.backward(micro.size() == 1 ? loss : Scalars.mul(loss, 1f / micro.size()));
        }
        return Map.of("next_token_loss", total);
    }

    private static NDArray ids(NDManager m, long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    /** Prompt {@code <image> codes </image> [sot]}; the caption ends at eot (added to the stop tokens). */
    @Override
    public List<String> caption(float[] pixels, int n, int height, int width, GenerationConfig generation) {
        int[][] codes = image.tokenize(pixels, n, height, width);
        long[][] prompts = new long[n][];
        for (int i = 0; i < n; i++) {
            long[] img = vocab.image(codes[i]);
            prompts[i] = Arrays.copyOf(img, img.length + 1);
            prompts[i][img.length] = tokenizer.sotId();
        }
        Set<Integer> stops = new HashSet<>(generation.stopTokens());
        stops.add(tokenizer.eotId());
        int room = config.decoder().contextLength() - prompts[0].length;
        GenerationConfig g = new GenerationConfig(Math.min(generation.maxNewTokens(), room), generation.beamSize(),
                generation.sample(), generation.temperature(), generation.topK(), generation.topP(),
                generation.lengthPenalty(), stops, generation.seed());
        Generator.Output out = Generator.generate(decoder, null, null, prompts, g);
        List<String> captions = new ArrayList<>(n);
        for (long[] t : out.tokens()) {
            captions.add(tokenizer.decode(vocab.textIds(cut(t, tokenizer.eotId()))).strip());
        }
        return captions;
    }

    private static long[] cut(long[] tokens, int stop) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == stop) {
                return Arrays.copyOf(tokens, i);
            }
        }
        return tokens;
    }

    /**
     * Codes of an image for each text: prompt {@code [sot] text [eot] <image>}, then one code at each of the grid's
     * positions, chosen among the codes only: the most likely (greedy) or, with {@code generation.sample()}, drawn
     * with its temperature, top-k and top-p (text {@code i} seeded by {@code seed + i}). Its length and stop tokens are
     * not used: an image is always one whole grid.
     */
    public int[][] generateCodes(List<String> texts, GenerationConfig generation) {
        int[][] out = new int[texts.size()][];
        int first = (int) vocab.codeToken(0);
        int k = vocab.codebookSize();
        for (int i = 0; i < texts.size(); i++) {
            long[] text = FusionVocabulary.caption(tokenizer, texts.get(i), config.textContext());
            long[] prompt = Arrays.copyOf(text, text.length + 1);
            prompt[text.length] = vocab.imageStart();
            SplittableRandom rng = new SplittableRandom(generation.seed() + i);
            int[] codes = new int[cells()];
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                KvCache cache = new KvCache(config.decoder().layers());
                NDArray logits = decoder.logits(m.create(prompt, new Shape(1, prompt.length)), null, null, cache);
                for (int t = 0; t < codes.length; t++) {
                    long last = logits.getShape().get(1) - 1;
                    float[] row = logits.get("0, " + last + ", " + first + ":" + (first + k)).toFloatArray();
                    codes[t] = generation.sample() ? Generator.sample(row, generation, rng) : argmax(row);
                    if (t < codes.length - 1) {
                        logits = decoder.logits(m.create(new long[] {vocab.codeToken(codes[t])}, new Shape(1, 1)),
                                null, null, cache);
                    }
                }
            }
            out[i] = codes;
        }
        return out;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Images for texts: {@link #generateCodes} decoded by the VQ-VAE, RGB in [0, 1], [n][3 * S * S] CHW. */
    @Override
    public float[][] generateImages(List<String> texts, GenerationConfig generation) {
        return image.detokenize(generateCodes(texts, generation));
    }

    @Override
    public int imageSize() {
        return image.imageSize();
    }

    @Override
    public void close() {
        image.close();
        manager.close();
    }
}
