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
import org.vlm4j.model.LikelihoodScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.KvCache;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.SequenceLogProbs;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * The early-fusion token model (Chameleon, CM3leon), first cut: one causal {@link TextDecoder} over text tokens and
 * image codes ({@link FusionVocabulary}), trained by next-token prediction on both orders of every image-caption
 * pair (caption then image, image then caption); the frozen VQ-VAE inside turns training images into codes and
 * generated codes into images. Writes text about an image ({@link Captioner}) and an image from text
 * ({@link #generateImages}: one grid of codes, greedy or sampled; greedy grids collapse to the commonest code, the
 * background, so drawing samples; classifier-free guidance sharpens them). Scores pairs by likelihood, both ways
 * ({@link LikelihoodScorer}: the generative classifier). The config chooses QK-norm and Chameleon's norm placement
 * ({@code decoder}), caption dropout for guidance, CM3leon's retrieval-augmented pretraining ({@code retrieved}
 * documents per sequence, from {@link FusionDocuments}) and its instruction-tuning stage ({@code tasks},
 * {@link FusionSequences}), which on Shapes also trains edit-by-text ({@link ShapesEdits}, {@link #editImages}).
 * Parameter names: {@code decoder.*}, {@code image_tokenizer.*}.
 */
public final class FusionModel extends Module implements VlmModel, Pretrainable, Captioner, ImageGenerator,
        LikelihoodScorer {
    public static final String FAMILY = "fusion";
    /** Image-text pairs (one sequence each) scored per forward pass of {@link #score}. */
    private static final int SCORE_ROWS = 128;

    private final FusionConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final TextDecoder decoder;
    private final VqVae image;
    private final FusionVocabulary vocab;
    private final FusionSequences sequences;
    /** The retrieved documents of every training entry, for configs with {@code retrieved > 0}. */
    private FusionDocuments documents;
    private Map<String, Double> lastMetrics = Map.of();

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
        this.sequences = new FusionSequences(config, tokenizer, vocab);
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

    /**
     * Retrieval-augmented pretraining ({@code retrieved > 0}) reads each training entry's documents from here: build
     * them with {@link FusionDocuments#build} over the training data before training.
     */
    public void useDocuments(FusionDocuments docs) {
        if (docs != null && docs.perEntry() < config.retrieved()) {
            throw new IllegalArgumentException("the config prepends " + config.retrieved() + " documents, the index"
                    + " retrieved " + docs.perEntry() + " per entry");
        }
        this.documents = docs;
    }

    /**
     * Next-token loss over the training sequences of every pair of every micro-batch ({@link FusionSequences#training}):
     * mean over the tokens each sequence's loss covers. Caption dropout draws from a generator seeded by the batch's
     * position in the data, so a resumed run drops the same captions.
     */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        if (config.retrieved() > 0 && documents == null) {
            throw new IllegalStateException("this config trains with " + config.retrieved() + " retrieved documents"
                    + " per sequence: call useDocuments (vlm4j train --retriever DIR) first");
        }
        float total = 0;
        double editLoss = 0;
        int editRows = 0;
        for (Batch b : micro) {
            int[][] codes = image.tokenize(b.pixels(), b.size(), b.height(), b.width());
            List<long[]> rows = new ArrayList<>();
            List<Integer> from = new ArrayList<>();
            long seed = b.end() == null ? 0 : b.end().epoch() * 1_000_003L + b.end().offset();
            for (int i = 0; i < b.size(); i++) {
                List<long[]> docs = config.retrieved() == 0 ? List.of()
                        : documents.documents(b.meta().get(i).get("__key__"), config.retrieved(), sequences);
                for (FusionSequences.Seq s : sequences.training(b.captions().get(i), codes[i], b.meta().get(i),
                        new SplittableRandom(seed * 131 + i), docs)) {
                    rows.add(s.tokens());
                    from.add(s.from());
                }
            }
            int firstEdit = rows.size();
            if (sequences.edits()) {
                for (FusionSequences.Seq s : editSequences(b, codes, seed)) {
                    rows.add(s.tokens());
                    from.add(s.from());
                }
            }
            int longest = rows.stream().mapToInt(t -> t.length).max().orElse(1);
            FusionVocabulary.Rows r = vocab.rows(rows, Math.max(config.rowLength(), longest - 1),
                    from.stream().mapToInt(Integer::intValue).toArray());
            NDArray logits = decoder.logits(ids(m, r.inputs()), null, null);
            NDArray targets = ids(m, r.targets());
            NDArray loss = NextToken.loss(logits, targets, vocab.pad());
            if (rows.size() > firstEdit) { // reported apart: the loss of the edit rows alone
                String tail = firstEdit + ":";
                editLoss += NextToken.loss(logits.get(tail), targets.get(tail), vocab.pad()).getFloat()
                        * (rows.size() - firstEdit);
                editRows += rows.size() - firstEdit;
            }
            total += loss.getFloat() / micro.size();
            gc.backward(micro.size() == 1 ? loss : Scalars.mul(loss, 1f / micro.size()));
        }
        lastMetrics = editRows == 0 ? Map.of() : Map.of("edit_loss", editLoss / editRows, "edit_sequences",
                (double) editRows);
        return Map.of("next_token_loss", total);
    }

    /** With edit-by-text sequences in the step: their next-token loss alone (mean over sequences) and their count. */
    @Override
    public Map<String, Double> stepMetrics() {
        return lastMetrics;
    }

    /**
     * The edit-by-text sequences of a batch ({@link ShapesEdits}): for every scene that allows one, the instruction,
     * its codes and the codes of the recoloured scene; the new colour is one the batch shows on that shape.
     */
    private List<FusionSequences.Seq> editSequences(Batch b, int[][] codes, long seed) {
        java.util.Set<String> seen = ShapesEdits.compositions(b.meta());
        List<Integer> which = new ArrayList<>();
        List<ShapesEdits.Edit> edits = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            ShapesEdits.Edit e = ShapesEdits.pick(b.meta().get(i), seen, new SplittableRandom(~(seed * 131 + i)));
            if (e != null) {
                which.add(i);
                edits.add(e);
            }
        }
        if (edits.isEmpty()) {
            return List.of();
        }
        int per = b.imageFloats();
        float[] edited = new float[edits.size() * per];
        for (int k = 0; k < edits.size(); k++) {
            float[] unit = unit(java.util.Arrays.copyOfRange(b.pixels(), which.get(k) * per, (which.get(k) + 1) * per));
            System.arraycopy(normalised(ShapesEdits.recolour(unit, edits.get(k).from(), edits.get(k).to())), 0, edited,
                    k * per, per);
        }
        int[][] targets = image.tokenize(edited, edits.size(), b.height(), b.width());
        List<FusionSequences.Seq> out = new ArrayList<>();
        for (int k = 0; k < edits.size(); k++) {
            out.add(sequences.edit(codes[which.get(k)], edits.get(k).instruction(), targets[k]));
        }
        return out;
    }

    /** Preprocessed pixels (CHW) back to RGB in [0, 1], by the image tokenizer's normalisation. */
    private float[] unit(float[] chw) {
        float[] mean = config.image().preprocess().mean();
        float[] std = config.image().preprocess().std();
        int plane = chw.length / 3;
        float[] out = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            out[i] = chw[i] * std[i / plane] + mean[i / plane];
        }
        return out;
    }

    private float[] normalised(float[] unit) {
        float[] mean = config.image().preprocess().mean();
        float[] std = config.image().preprocess().std();
        int plane = unit.length / 3;
        float[] out = new float[unit.length];
        for (int i = 0; i < unit.length; i++) {
            out[i] = (unit[i] - mean[i / plane]) / std[i / plane];
        }
        return out;
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
            prompts[i] = sequences.captionPrompt(codes[i]);
        }
        return writeText(prompts, generation);
    }

    /**
     * Answers a question about each image ({@code <image> codes </image> [sot] question [eot] [sot]}, the layout of
     * the instruction-tuned model's questions, e.g. {@link FusionTasks#COLOUR_QUESTION}).
     */
    public List<String> answer(float[] pixels, int n, int height, int width, String question,
                               GenerationConfig generation) {
        int[][] codes = image.tokenize(pixels, n, height, width);
        long[][] prompts = new long[n][];
        for (int i = 0; i < n; i++) {
            prompts[i] = sequences.question(codes[i], question, "").tokens();
            prompts[i] = Arrays.copyOf(prompts[i], prompts[i].length - 1); // "[sot] [eot]" of the empty answer less eot
        }
        return writeText(prompts, generation);
    }

    private List<String> writeText(long[][] prompts, GenerationConfig generation) {
        Set<Integer> stops = new HashSet<>(generation.stopTokens());
        stops.add(tokenizer.eotId());
        int room = config.decoder().contextLength() - prompts[0].length;
        GenerationConfig g = new GenerationConfig(Math.min(generation.maxNewTokens(), room), generation.beamSize(),
                generation.sample(), generation.temperature(), generation.topK(), generation.topP(),
                generation.lengthPenalty(), stops, generation.seed());
        Generator.Output out = Generator.generate(decoder, null, null, prompts, g);
        List<String> captions = new ArrayList<>(prompts.length);
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

    /** {@link #generateCodes(List, GenerationConfig, float)} without guidance. */
    public int[][] generateCodes(List<String> texts, GenerationConfig generation) {
        return generateCodes(texts, generation, 1f);
    }

    /**
     * Codes of an image for each text: prompt {@code [sot] text [eot] <image>} (behind "draw this" when instruction
     * tuned), then one code at each of the grid's positions, chosen among the codes only: the most likely (greedy)
     * or, with {@code generation.sample()}, drawn with its temperature, top-k and top-p (text {@code i} seeded by
     * {@code seed + i}). Its length and stop tokens are not used: an image is always one whole grid. With
     * {@code guidance} other than 1, classifier-free guidance (Ho and Salimans 2022, as in CM3leon): the code logits
     * are {@code u + guidance (c - u)}, c given the text and u given the empty caption (which a model trained with
     * caption_dropout has learnt).
     */
    public int[][] generateCodes(List<String> texts, GenerationConfig generation, float guidance) {
        int[][] out = new int[texts.size()][];
        long[] empty = guidance != 1f ? sequences.drawPrompt("") : null;
        for (int i = 0; i < texts.size(); i++) {
            out[i] = grid(sequences.drawPrompt(texts.get(i)), empty, generation, guidance,
                    new SplittableRandom(generation.seed() + i));
        }
        return out;
    }

    /**
     * Edit-by-text (an instruction-tuned model, {@link FusionTasks#EDIT}): for each image, the codes of the image the
     * instruction asks for ("make the circle blue"), drawn as {@link #generateCodes} draws (image {@code i} seeded
     * by {@code seed + i}) after the prompt {@code [sot] instruction [eot] <image> source </image> <image>}.
     */
    public int[][] editCodes(float[] pixels, int n, int height, int width, List<String> instructions,
                             GenerationConfig generation) {
        if (!sequences.edits()) {
            throw new IllegalArgumentException("editing by text needs an instruction-tuned fusion model whose context"
                    + " holds two images (e.g. fusion-instruct-tiny); this one is '" + config.tasks() + "' with context "
                    + config.decoder().contextLength());
        }
        if (instructions.size() != n) {
            throw new IllegalArgumentException(n + " images but " + instructions.size() + " instructions");
        }
        int[][] codes = image.tokenize(pixels, n, height, width);
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = grid(sequences.editPrompt(codes[i], instructions.get(i)), null, generation, 1f,
                    new SplittableRandom(generation.seed() + i));
        }
        return out;
    }

    /** {@link #editCodes} decoded by the VQ-VAE, RGB in [0, 1], [n][3 * S * S] CHW. */
    public float[][] editImages(float[] pixels, int n, int height, int width, List<String> instructions,
                                GenerationConfig generation) {
        return image.detokenize(editCodes(pixels, n, height, width, instructions, generation));
    }

    /**
     * One grid of codes after {@code prompt} (which ends with {@code <image>}), chosen among the codes only; with an
     * {@code unconditional} prompt and guidance other than 1, the code logits are {@code u + guidance (c - u)}.
     */
    private int[] grid(long[] prompt, long[] unconditional, GenerationConfig generation, float guidance,
                       SplittableRandom rng) {
        int first = (int) vocab.codeToken(0);
        int k = vocab.codebookSize();
        boolean guided = guidance != 1f && unconditional != null;
        int[] codes = new int[cells()];
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            KvCache cache = new KvCache(config.decoder().layers());
            KvCache uncache = guided ? new KvCache(config.decoder().layers()) : null;
            NDArray logits = decoder.logits(m.create(prompt, new Shape(1, prompt.length)), null, null, cache);
            NDArray ulogits = guided ? decoder.logits(m.create(unconditional, new Shape(1, unconditional.length)),
                    null, null, uncache) : null;
            for (int t = 0; t < codes.length; t++) {
                float[] row = codeLogits(logits, first, k);
                if (guided) {
                    float[] u = codeLogits(ulogits, first, k);
                    for (int j = 0; j < k; j++) {
                        row[j] = u[j] + guidance * (row[j] - u[j]);
                    }
                }
                codes[t] = generation.sample() ? Generator.sample(row, generation, rng) : argmax(row);
                if (t < codes.length - 1) {
                    NDArray next = m.create(new long[] {vocab.codeToken(codes[t])}, new Shape(1, 1));
                    logits = decoder.logits(next, null, null, cache);
                    ulogits = guided ? decoder.logits(next, null, null, uncache) : null;
                }
            }
        }
        return codes;
    }

    private static float[] codeLogits(NDArray logits, int first, int k) {
        long last = logits.getShape().get(1) - 1;
        return logits.get("0, " + last + ", " + first + ":" + (first + k)).toFloatArray();
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

    @Override
    public Set<Direction> directions() {
        return java.util.EnumSet.allOf(Direction.class);
    }

    /** log p(image | text): the generative classifier of the issue (Bayes' rule with a uniform prior over texts). */
    @Override
    public Direction defaultDirection() {
        return Direction.IMAGE_GIVEN_TEXT;
    }

    /**
     * The generative classifier: {@code IMAGE_GIVEN_TEXT} scores the sequence {@code [sot] text [eot] <image> codes}
     * over its image codes (the caption-to-image order the model trained on); {@code TEXT_GIVEN_IMAGE} scores
     * {@code <image> codes </image> [sot] text [eot]} over the text after its start token (an instruction-tuned
     * model reads its "draw this" / "caption this" instruction first). All pairs of a chunk of
     * images with every text go through the decoder together, {@value #SCORE_ROWS} sequences per forward pass.
     */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts, Direction direction) {
        requireDirection(direction);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to score");
        }
        int[][] codes = image.tokenize(pixels, n, height, width);
        int t = texts.size();
        long[][] text = new long[t][];
        for (int j = 0; j < t; j++) {
            text[j] = sequences.text(texts.get(j));
        }
        float[][] out = new float[n][t];
        for (int start = 0; start < n * t; start += SCORE_ROWS) {
            int b = Math.min(SCORE_ROWS, n * t - start);
            long[][] rows = new long[b][];
            int[] from = new int[b];
            int[] to = new int[b];
            for (int k = 0; k < b; k++) {
                int i = (start + k) / t;
                int j = (start + k) % t;
                FusionSequences.Seq q = direction == Direction.IMAGE_GIVEN_TEXT
                        ? sequences.imageGivenText(text[j], codes[i]) : sequences.textGivenImage(codes[i], text[j]);
                rows[k] = q.tokens();
                from[k] = q.from();
                // the image's codes (not </image>), or the text after its start token through its end token
                to[k] = direction == Direction.IMAGE_GIVEN_TEXT ? q.from() + codes[i].length : q.tokens().length;
            }
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                double[] s = SequenceLogProbs.sum(decoder, null, rows, from, to, vocab.pad(), m);
                for (int k = 0; k < b; k++) {
                    out[(start + k) / t][(start + k) % t] = (float) s[k];
                }
            }
        }
        return out;
    }

    /** Images for texts: {@link #generateCodes} decoded by the VQ-VAE, RGB in [0, 1], [n][3 * S * S] CHW. */
    @Override
    public float[][] generateImages(List<String> texts, GenerationConfig generation) {
        return image.detokenize(generateCodes(texts, generation));
    }

    /** As above, with classifier-free guidance ({@link #generateCodes(List, GenerationConfig, float)}). */
    public float[][] generateImages(List<String> texts, GenerationConfig generation, float guidance) {
        return image.detokenize(generateCodes(texts, generation, guidance));
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
