package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.io.StateDict;
import org.vlm4j.loss.NextToken;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.LikelihoodScorer;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.FeatureCache;
import org.vlm4j.train.Pretrainable;

/**
 * What every pretrained-backbone bridge shares: a vision tower ({@code visual.*}, frozen unless the config trains it),
 * a frozen causal language model ({@code lm.*}), and a family-specific bridge that turns image tokens into a soft
 * prompt of LM input embeddings ({@link #prefix}). Training is next-token cross-entropy on the caption (or, for a
 * sample with {@code question} and {@code answers} fields, on the first answer after the question prompt) with the
 * prefix and prompt positions carrying no loss; only trainable parameters get gradients (the {@code Trainer} skips
 * frozen ones) and a frozen tower runs without gradient tracking, optionally over a {@link FeatureCache}.
 *
 * <p>Token layout: {@code [sot][prefix] prompt target [eot]}. Captioning and VQA generate after the prompt.
 */
public abstract class Bridge extends Module implements Captioner, QuestionAnswerer, Pretrainable, VlmModel,
        LikelihoodScorer {
    /** What a prompt asks for (MiniGPT-v2 embeds it as a task identifier; the others ignore it). */
    public enum Task { CAPTION, VQA }

    /** Metadata fields that make a sample a question (questions.tsv columns). */
    public static final String QUESTION_FIELD = "question";
    public static final String ANSWERS_FIELD = "answers";
    private static final int INFERENCE_BATCH = 64;

    protected final BridgeConfig config;
    protected final Tokenizer tokenizer;
    protected final NDManager manager;
    /** Where subclasses draw their own parameters (after the towers'). */
    protected final Init init;
    protected final VisionTransformer visual;
    protected final TextDecoder lm;
    private final ImagePreprocessor preprocessor;
    private FeatureCache featureCache;

    protected Bridge(BridgeConfig config, Tokenizer tokenizer, long seed) {
        this.config = config;
        this.tokenizer = tokenizer;
        if (tokenizer != null && tokenizer.vocabSize() > config.lm().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but lm.vocab_size"
                    + " is " + config.lm().vocabSize());
        }
        Vlm4jEngine.init();
        this.manager = NDManager.newBaseManager();
        this.init = new Init(manager, seed);
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.lm = child("lm", new TextDecoder(init, config.lm()));
        lm.setTrainable(false);
        unfreezeLastLmLayers(config.trainLmLayers());
        visual.setTrainable(config.trainVision());
        this.preprocessor = new ImagePreprocessor(config.preprocess());
    }

    /** Makes the LM's last {@code n} blocks and its final norm trainable ({@code train_lm_layers}). */
    private void unfreezeLastLmLayers(int n) {
        if (n == 0) {
            return;
        }
        int layers = config.lm().layers();
        lm.namedParams().forEach((name, p) -> {
            boolean last = false;
            for (int i = layers - n; i < layers; i++) {
                last |= name.startsWith("transformer.blocks." + i + ".");
            }
            if (last || name.startsWith("ln_final.")) {
                p.setTrainable(true);
            }
        });
    }

    /** image tokens [N, T, Dv] (class token first if the tower has one) -> soft prompt [N, P, lm width]. */
    protected abstract NDArray prefix(NDArray imageTokens, Task[] tasks);

    /** Extra loss terms of a family (MiniGPT-5's vokens), added to the next-token loss; none by default. */
    protected Map<String, NDArray> extraLosses(NDArray imageTokens, Batch batch) {
        return Map.of();
    }

    // ------------------------------------------------------------------------------------------------ set-up

    @Override
    public BridgeConfig config() {
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

    public VisionTransformer visual() {
        return visual;
    }

    public TextDecoder lm() {
        return lm;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Copies a pretrained vision tower's weights (same architecture) into this bridge. */
    public void loadVision(VisionTransformer source) {
        StateDict.load(visual, StateDict.of(source), "vision tower");
    }

    /** Copies a pretrained language model's weights (same architecture) into this bridge. */
    public void loadLanguageModel(TextDecoder source) {
        StateDict.load(lm, StateDict.of(source), "language model");
    }

    /**
     * Copies everything but the language model from a bridge of the same family and shapes: the next stage of a
     * multi-stage recipe (MiniGPT-4's instruction tuning after caption pretraining) continues from the previous one.
     */
    public void loadBridge(Bridge previous) {
        if (!previous.family().equals(family())) {
            throw new IllegalArgumentException("cannot continue a " + family() + " bridge from a " + previous.family()
                    + " one");
        }
        Map<String, org.vlm4j.io.TensorData> all = new LinkedHashMap<>(StateDict.of(previous));
        all.keySet().removeIf(k -> k.startsWith("lm."));
        Map<String, org.vlm4j.nn.Param> mine = namedParams();
        for (Map.Entry<String, org.vlm4j.io.TensorData> e : all.entrySet()) {
            org.vlm4j.nn.Param p = mine.get(e.getKey());
            if (p == null || !Arrays.equals(p.array().getShape().getShape(), e.getValue().shape())) {
                throw new IllegalArgumentException("previous " + family() + " bridge: '" + e.getKey()
                        + "' does not fit this one (different bridge settings)");
            }
            p.set(e.getValue().toFloats());
        }
    }

    /** Caches the frozen vision tower's outputs per sample during training (null: compute them every step). */
    public void setFeatureCache(FeatureCache cache) {
        if (cache != null && config.trainVision()) {
            throw new IllegalArgumentException("a " + family() + " bridge trains its vision tower: its features"
                    + " cannot be cached");
        }
        this.featureCache = cache;
    }

    // ------------------------------------------------------------------------------------------------ training

    /** Image tokens of a batch: with gradient if the tower trains, else without (from the cache where possible). */
    protected NDArray imageTokens(Batch b, NDManager m) {
        if (config.trainVision()) {
            return visual.tokens(pixels(b, m));
        }
        if (featureCache == null) {
            try (NoGrad g = new NoGrad()) {
                return visual.tokens(pixels(b, m));
            }
        }
        float[][] rows = new float[b.size()][];
        boolean missing = false;
        for (int i = 0; i < b.size(); i++) {
            rows[i] = featureCache.get(key(b, i));
            missing |= rows[i] == null;
        }
        if (missing) {
            try (NoGrad g = new NoGrad()) {
                NDArray t = visual.tokens(pixels(b, m));
                float[] flat = t.toFloatArray();
                int per = flat.length / b.size();
                for (int i = 0; i < b.size(); i++) {
                    if (rows[i] == null) {
                        rows[i] = Arrays.copyOfRange(flat, i * per, (i + 1) * per);
                        featureCache.put(key(b, i), rows[i]);
                    }
                }
                return t;
            }
        }
        int per = rows[0].length;
        float[] flat = new float[per * b.size()];
        for (int i = 0; i < b.size(); i++) {
            if (rows[i].length != per) {
                throw new IllegalStateException("cached features of '" + key(b, i) + "' have " + rows[i].length
                        + " values, expected " + per + " (a cache of another vision tower?)");
            }
            System.arraycopy(rows[i], 0, flat, i * per, per);
        }
        long width = config.vision().width();
        return m.create(flat, new Shape(b.size(), per / width, width));
    }

    private static String key(Batch b, int i) {
        String k = b.meta().get(i).get("__key__");
        if (k == null) {
            throw new IllegalArgumentException("sample " + i + " of the batch has no __key__ to cache its features by");
        }
        return k;
    }

    private static NDArray pixels(Batch b, NDManager m) {
        return m.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    }

    /** A sample's task, prompt and target: a question's first answer, else the caption. */
    record Example(Task task, String prompt, String target) {}

    Example example(Batch b, int i) {
        Map<String, String> meta = b.meta().get(i);
        String q = meta.get(QUESTION_FIELD);
        String a = meta.get(ANSWERS_FIELD);
        if (q != null && !q.isBlank() && a != null && !a.isBlank()) {
            return new Example(Task.VQA, config.questionPrompt(q), a.split("\\|")[0].strip());
        }
        return new Example(Task.CAPTION, config.captionPrompt(), b.captions().get(i));
    }

    /** The number of prefix embeddings this bridge produces (for the context budget). */
    protected int prefixLength(NDArray prefix) {
        return (int) prefix.getShape().get(1);
    }

    /** Logits after the prefix [N, L, V], their targets [N, L] (pad where no loss), for [sot][prefix] prompt target. */
    private record TargetLogits(NDArray logits, NDArray targets, long pad) {}

    private TargetLogits targetLogits(NDArray prefix, List<Example> examples, NDManager m) {
        Tokenizer tok = requireTokenizer();
        int p = prefixLength(prefix);
        int budget = config.lm().contextLength() - p + 1; // the ids row minus its last token must fit after the prefix
        if (budget < 3) {
            throw new IllegalArgumentException("lm.context_length " + config.lm().contextLength() + " leaves no room"
                    + " for text after " + p + " prefix tokens");
        }
        int n = examples.size();
        List<long[]> rows = new ArrayList<>(n);
        int[] promptLen = new int[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            int[] prompt = tok.encode(examples.get(i).prompt());
            int[] target = tok.encode(examples.get(i).target());
            int len = Math.min(budget, 2 + prompt.length + target.length);
            long[] row = new long[len];
            row[0] = tok.sotId();
            int k = 1;
            for (int id : prompt) {
                if (k < len - 1) {
                    row[k++] = id;
                }
            }
            promptLen[i] = k - 1;
            for (int id : target) {
                if (k < len - 1) {
                    row[k++] = id;
                }
            }
            row[len - 1] = tok.eotId();
            rows.add(row);
            longest = Math.max(longest, len);
        }
        long pad = tok.padId();
        long[] in = new long[n * (longest - 1)];
        long[] tgt = new long[n * (longest - 1)];
        Arrays.fill(in, pad);
        Arrays.fill(tgt, pad);
        for (int i = 0; i < n; i++) {
            long[] row = rows.get(i);
            for (int j = 0; j < row.length - 1; j++) {
                in[i * (longest - 1) + j] = row[j];
                if (j + 1 > promptLen[i]) {
                    tgt[i * (longest - 1) + j] = row[j + 1];
                }
            }
        }
        NDArray ids = m.create(in, new Shape(n, longest - 1));
        // [sot][prefix] prompt target: the image opens the LM's document, as text would (before the start token is
        // the previous, unrelated document of packed pretraining, which the LM has learned to ignore)
        NDArray x = lm.embedTokens(ids.get(":, 0:1")).concat(prefix, 1);
        if (longest > 2) {
            x = x.concat(lm.embedTokens(ids.get(":, 1:")), 1);
        }
        NDArray logits = lm.logitsFromEmbeddings(x, null, null, null).get(":, " + p + ":, :");
        return new TargetLogits(logits, m.create(tgt, new Shape(n, longest - 1)), pad);
    }

    /** Teacher-forced next-token loss of the targets after [sot][prefix] prompt; other positions carry none. */
    protected NDArray targetLoss(NDArray prefix, List<Example> examples, NDManager m) {
        TargetLogits t = targetLogits(prefix, examples, m);
        return NextToken.loss(t.logits(), t.targets(), t.pad());
    }

    /** Per example, the summed log-probability of its target tokens (end token included) after [sot][prefix] prompt. */
    protected float[] targetLogProbs(NDArray prefix, List<Example> examples, NDManager m) {
        TargetLogits t = targetLogits(prefix, examples, m);
        NDArray picked = t.logits().logSoftmax(-1).gather(t.targets().expandDims(-1), -1).squeeze(-1);
        return picked.mul(t.targets().neq(t.pad()).toType(DataType.FLOAT32, false)).sum(new int[] {1}).toFloatArray();
    }

    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        float text = 0;
        Map<String, Float> extra = new LinkedHashMap<>();
        for (Batch b : micro) {
            NDArray tokens = imageTokens(b, m);
            List<Example> ex = new ArrayList<>(b.size());
            Task[] tasks = new Task[b.size()];
            for (int i = 0; i < b.size(); i++) {
                ex.add(example(b, i));
                tasks[i] = ex.get(i).task();
            }
            NDArray loss = Scalars.div(targetLoss(prefix(tokens, tasks), ex, m), micro.size());
            text += loss.getFloat();
            for (Map.Entry<String, NDArray> e : extraLosses(tokens, b).entrySet()) {
                NDArray term = Scalars.div(e.getValue(), micro.size());
                extra.merge(e.getKey(), term.getFloat(), Float::sum);
                loss = loss.add(term);
            }
            gc.backward(loss);
        }
        Map<String, Float> out = new LinkedHashMap<>();
        out.put("caption_loss", text);
        out.putAll(extra);
        return out;
    }

    // ------------------------------------------------------------------------------------------------ capabilities

    protected Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("this " + family() + " model has no tokenizer");
        }
        return tokenizer;
    }

    @Override
    public List<String> caption(float[] pixels, int n, int height, int width, GenerationConfig generation) {
        List<String> prompts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            prompts.add(config.captionPrompt());
        }
        return generate(pixels, n, height, width, prompts, Task.CAPTION, generation);
    }

    @Override
    public List<String> answer(float[] pixels, int n, int height, int width, List<String> questions,
                               GenerationConfig generation) {
        if (questions.size() != n) {
            throw new IllegalArgumentException(n + " images but " + questions.size() + " questions");
        }
        List<String> prompts = new ArrayList<>(n);
        for (String q : questions) {
            if (q == null || q.isBlank()) {
                throw new IllegalArgumentException("empty question");
            }
            prompts.add(config.questionPrompt(q));
        }
        return generate(pixels, n, height, width, prompts, Task.VQA, generation);
    }

    @Override
    public Set<Direction> directions() {
        return java.util.EnumSet.of(Direction.TEXT_GIVEN_IMAGE);
    }

    @Override
    public Direction defaultDirection() {
        return Direction.TEXT_GIVEN_IMAGE;
    }

    /**
     * log p(text | image): each text, end token included, teacher-forced as a caption after [sot][prefix] caption
     * prompt, the LM's own reading of the image; up to {@value #INFERENCE_BATCH} texts of one image per forward pass.
     * So a bridge classifies zero-shot as a captioner does (the generative classifier of the pretrained-backbone
     * family).
     */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts, Direction direction) {
        requireDirection(direction);
        long per = checkPixels(pixels, n, height, width);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to score");
        }
        float[][] out = new float[n][texts.size()];
        for (int i = 0; i < n; i++) {
            try (NDScope scope = new NDScope(); NoGrad ng = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(Arrays.copyOfRange(pixels, (int) (i * per), (int) ((i + 1) * per)),
                        new Shape(1, 3, height, width));
                NDArray soft = prefix(visual.tokens(x), new Task[] {Task.CAPTION});
                for (int t0 = 0; t0 < texts.size(); t0 += INFERENCE_BATCH) {
                    int b = Math.min(INFERENCE_BATCH, texts.size() - t0);
                    List<Example> examples = new ArrayList<>(b);
                    for (int k = 0; k < b; k++) {
                        examples.add(new Example(Task.CAPTION, config.captionPrompt(), texts.get(t0 + k)));
                    }
                    float[] lp = targetLogProbs(soft.repeat(0, b), examples, m);
                    System.arraycopy(lp, 0, out[i], t0, b);
                }
            }
        }
        return out;
    }

    /** Values per image (3 x height x width), after checking that {@code pixels} holds {@code n} such images. */
    private static long checkPixels(float[] pixels, int n, int height, int width) {
        long per = 3L * height * width;
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " pixel values for " + n + " images of 3x"
                    + height + "x" + width + ", got " + pixels.length);
        }
        return per;
    }

    /** Text generated after [sot][prefix] prompt for each image, up to the end-of-text token. */
    public List<String> generate(float[] pixels, int n, int height, int width, List<String> prompts, Task task,
                                 GenerationConfig generation) {
        long per = checkPixels(pixels, n, height, width);
        Tokenizer tok = requireTokenizer();
        Set<Integer> stops = new HashSet<>(generation.stopTokens());
        stops.add(tok.eotId());
        GenerationConfig g = new GenerationConfig(generation.maxNewTokens(), generation.beamSize(),
                generation.sample(), generation.temperature(), generation.topK(), generation.topP(),
                generation.lengthPenalty(), stops, generation.seed());
        String[] out = new String[n];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            try (NDScope scope = new NDScope(); NoGrad ng = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(Arrays.copyOfRange(pixels, (int) (start * per), (int) ((start + b) * per)),
                        new Shape(b, 3, height, width));
                Task[] tasks = new Task[b];
                Arrays.fill(tasks, task);
                long[] sot = new long[b];
                Arrays.fill(sot, tok.sotId());
                NDArray soft = prefix(visual.tokens(x), tasks);
                NDArray prefix = lm.embedTokens(m.create(sot, new Shape(b, 1))).concat(soft, 1);
                // rows of one prompt length generate together
                Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
                long[][] ids = new long[b][];
                for (int i = 0; i < b; i++) {
                    int[] p = tok.encode(prompts.get(start + i));
                    ids[i] = new long[p.length];
                    for (int k = 0; k < p.length; k++) {
                        ids[i][k] = p[k];
                    }
                    byLength.computeIfAbsent(ids[i].length, k -> new ArrayList<>()).add(i);
                }
                for (List<Integer> rows : byLength.values()) {
                    long[][] group = new long[rows.size()][];
                    long[] index = new long[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        group[r] = ids[rows.get(r)];
                        index[r] = rows.get(r);
                    }
                    long[][] gen = Generator.generate(lm, prefix.get(m.create(index)), group, g).tokens();
                    for (int r = 0; r < rows.size(); r++) {
                        out[start + rows.get(r)] = decode(gen[r]);
                    }
                }
            }
        }
        return List.of(out);
    }

    // ------------------------------------------------------------------------------------------------ interleaved

    /**
     * The LM's input embeddings [1, T, D] of an interleaved prompt: [sot], then each segment in order, an image's soft
     * prompt ({@link #prefix}) in its place and a text's token embeddings. {@code [sot][image] prompt} is the
     * layout of {@link #generate}, so one image followed by the caption prompt gives the same sequence.
     */
    NDArray spliced(List<Segment> segments, NDManager m) {
        Tokenizer tok = requireTokenizer();
        int side = config.vision().imageSize();
        int per = 3 * side * side;
        List<float[]> images = new ArrayList<>();
        for (Segment s : segments) {
            if (s.isImage()) {
                if (s.pixels().length != per) {
                    throw new IllegalArgumentException("image segment " + (images.size() + 1) + " has "
                            + s.pixels().length + " values, expected 3x" + side + "x" + side + " = " + per);
                }
                images.add(s.pixels());
            }
        }
        NDArray soft = null;
        if (!images.isEmpty()) {
            float[] flat = new float[images.size() * per];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(images.get(i), 0, flat, i * per, per);
            }
            Task[] tasks = new Task[images.size()];
            Arrays.fill(tasks, Task.CAPTION);
            // every image through the tower and the bridge at once: [images, P, D]
            soft = prefix(visual.tokens(m.create(flat, new Shape(images.size(), 3, side, side))), tasks);
        }
        List<NDArray> parts = new ArrayList<>();
        parts.add(lm.embedTokens(m.create(new long[] {tok.sotId()}, new Shape(1, 1))));
        int image = 0;
        for (Segment s : segments) {
            if (s.isImage()) {
                parts.add(soft.get(image + ":" + (image + 1) + ", :, :"));
                image++;
            } else {
                int[] ids = tok.encode(s.text());
                if (ids.length > 0) {
                    long[] row = new long[ids.length];
                    for (int k = 0; k < ids.length; k++) {
                        row[k] = ids[k];
                    }
                    parts.add(lm.embedTokens(m.create(row, new Shape(1, ids.length))));
                }
            }
        }
        NDArray x = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts.toArray(new NDArray[0])), 1);
        if (x.getShape().get(1) >= config.lm().contextLength()) {
            throw new IllegalArgumentException("the interleaved prompt takes " + x.getShape().get(1) + " positions;"
                    + " the language model has " + config.lm().contextLength() + " (fewer images or shorter text)");
        }
        return x;
    }

    /** The LM's next-token logits after an interleaved prompt, [vocab]. */
    public float[] nextTokenLogits(List<Segment> segments) {
        try (NDScope scope = new NDScope(); NoGrad ng = new NoGrad(); NDManager m = manager.newSubManager()) {
            NDArray x = spliced(segments, m);
            long t = x.getShape().get(1);
            return lm.logitsFromEmbeddings(x, null, null, null).get("0, " + (t - 1) + ", :").toFloatArray();
        }
    }

    /**
     * Text generated after an interleaved prompt of images and texts (Frozen's few-shot setting, e.g. {@code <image>
     * this is a red circle. <image> this is}), up to the end-of-text token.
     */
    public String generateInterleaved(List<Segment> segments, GenerationConfig generation) {
        Tokenizer tok = requireTokenizer();
        Set<Integer> stops = new HashSet<>(generation.stopTokens());
        stops.add(tok.eotId());
        GenerationConfig g = new GenerationConfig(generation.maxNewTokens(), generation.beamSize(),
                generation.sample(), generation.temperature(), generation.topK(), generation.topP(),
                generation.lengthPenalty(), stops, generation.seed());
        try (NDScope scope = new NDScope(); NoGrad ng = new NoGrad(); NDManager m = manager.newSubManager()) {
            long[][] gen = Generator.generate(lm, spliced(segments, m), new long[][] {new long[0]}, g).tokens();
            return decode(gen[0]);
        }
    }

    /** The same for a prompt with {@link Segment#IMAGE} placeholders and the image files that fill them, in order. */
    public String generateInterleavedFiles(String prompt, List<java.nio.file.Path> images, GenerationConfig generation)
            throws java.io.IOException {
        int n = Segment.placeholders(prompt);
        if (n != images.size()) {
            throw new IllegalArgumentException("the prompt has " + n + " " + Segment.IMAGE + " placeholder(s) but "
                    + images.size() + " image(s) were given");
        }
        float[] flat = images.isEmpty() ? new float[0] : preprocessor.preprocessBatch(images, 1);
        int per = flat.length / Math.max(1, images.size());
        List<float[]> pixels = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            pixels.add(Arrays.copyOfRange(flat, i * per, (i + 1) * per));
        }
        return generateInterleaved(Segment.interleave(prompt, pixels), generation);
    }

    private String decode(long[] row) {
        int[] ids = new int[row.length];
        int k = 0;
        for (long id : row) {
            if (id == tokenizer.eotId()) {
                break;
            }
            ids[k++] = (int) id;
        }
        return tokenizer.decode(Arrays.copyOf(ids, k)).strip();
    }
}
