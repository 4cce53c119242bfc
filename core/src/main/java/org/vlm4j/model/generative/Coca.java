package org.vlm4j.model.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
import org.vlm4j.loss.InfoNce;
import org.vlm4j.loss.LogitScale;
import org.vlm4j.loss.Positives;
import org.vlm4j.loss.NextToken;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.LikelihoodScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.nn.AttentionPool;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.SequenceLogProbs;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.nn.TextTransformer;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * CoCa, contrastive captioner (Yu et al. 2022), laid out as OpenCLIP's coca_model.py with the paper's two poolers:
 * <pre>
 *  pixels -> ViT tokens -+-> contrastive pooler (1 query) -> proj ------------> image embedding --+
 *                        +-> captioning pooler (N queries) -> LN -> context       (InfoNCE)       |
 *  ids -> unimodal causal text tower -> end-of-text output -> proj -----------> text embedding ---+
 *  ids -> multimodal decoder (causal self-attention + cross-attention to the context) -> next-token logits (CE)
 * </pre>
 * Loss = caption_weight x next-token CE (padding ignored) + contrastive_weight x InfoNCE (2.0 and 1.0 by default).
 *
 * <p>One departure from OpenCLIP: there the multimodal layers read the unimodal tower's output tokens; here the
 * decoder embeds the token ids itself (a {@link TextDecoder}), so generation reuses the one {@link Generator} and
 * {@link org.vlm4j.nn.KvCache} unchanged. It costs one more token embedding and makes the decoder a stack of its own
 * rather than the upper half of the text tower. Parameter names: {@code visual.*}, {@code text.*},
 * {@code contrastive_pool.*}, {@code visual_proj.*}, {@code caption_pool.*}, {@code caption_ln.*}, {@code decoder.*},
 * {@code logit_scale}.
 */
public class Coca extends Module implements ImageTextEncoder, Captioner, Pretrainable, VlmModel, LikelihoodScorer {
    public static final String FAMILY = "coca";
    /** Images (or texts) per forward pass of the inference methods, bounding activation memory. */
    private static final int INFERENCE_BATCH = 64;

    private final CocaConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final AttentionPool contrastivePool;
    private final Linear visualProj;
    private final AttentionPool captionPool;
    private final LayerNorm captionLn;
    private final TextDecoder decoder;
    private final Param logitScale;
    private final ImagePreprocessor preprocessor;

    public Coca(CocaConfig config, Tokenizer tokenizer, long seed) {
        this.config = config;
        this.tokenizer = tokenizer;
        if (tokenizer != null && tokenizer.vocabSize() > config.text().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model's"
                    + " text.vocab_size is " + config.text().vocabSize());
        }
        Vlm4jEngine.init(); // the shim and malloc tuning must precede libtorch's loading
        this.manager = NDManager.newBaseManager();
        Init init = new Init(manager, seed);
        int w = config.vision().width();
        var v = config.vision();
        this.visual = child("visual", new VisionTransformer(init, v));
        this.text = child("text", new TextTransformer(init, config.text()));
        this.contrastivePool = child("contrastive_pool", new AttentionPool(init, w, config.poolerHeads(), 1, false, 0,
                v.activation(), v.lnEps()));
        this.visualProj = child("visual_proj", new Linear(init, w, config.embedDim(), false));
        this.captionPool = child("caption_pool", new AttentionPool(init, w, config.poolerHeads(),
                config.captionQueries(), false, 0, v.activation(), v.lnEps()));
        this.captionLn = child("caption_ln", new LayerNorm(init, w, v.lnEps()));
        this.decoder = child("decoder", new TextDecoder(init, config.decoder()));
        this.logitScale = param("logit_scale", manager.create(config.logitScaleInit()));
        this.preprocessor = new ImagePreprocessor(config.preprocess());
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public CocaConfig config() {
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

    @Override
    public int embedDim() {
        return config.embedDim();
    }

    public TextDecoder decoder() {
        return decoder;
    }

    @Override
    public void close() {
        manager.close();
    }

    // ------------------------------------------------------------------------------------------------ forward parts

    /** pixels [N, 3, H, W] -> the ViT's tokens after ln_post [N, T, W], input of both poolers. */
    public NDArray imageTokens(NDArray pixels) {
        return visual.tokens(pixels);
    }

    /** Image tokens -> unnormalised contrastive embedding [N, E]. */
    public NDArray imageFeatures(NDArray tokens) {
        return visualProj.forward(contrastivePool.forward(tokens).squeeze(1));
    }

    /** Image tokens -> the decoder's context [N, captionQueries, W]. */
    public NDArray captionContext(NDArray tokens) {
        return captionLn.forward(captionPool.forward(tokens));
    }

    /** ids [N, L] -> unnormalised text embedding [N, E] (the end-of-text output of the causal tower). */
    public NDArray textFeatures(NDArray ids) {
        return text.encode(ids);
    }

    /**
     * Teacher-forced next-token cross-entropy of ids [N, L] (start token first, padded with the pad id) given the
     * context: logits of positions 0..L-2 against targets 1..L-1, padding ignored.
     */
    public NDArray captionLoss(NDArray context, NDArray ids) {
        long l = ids.getShape().get(1);
        NDArray logits = decoder.logits(ids.get(":, 0:" + (l - 1)), context, null);
        return NextToken.loss(logits, ids.get(":, 1:" + l), padId());
    }

    private long padId() {
        return requireTokenizer().padId();
    }

    private Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("this CoCa model has no tokenizer");
        }
        return tokenizer;
    }

    // ------------------------------------------------------------------------------------------------ training

    private static NDArray pixels(Batch b, NDManager m) {
        return m.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    }

    private NDArray ids(List<String> captions, NDManager m) {
        long[][] rows = requireTokenizer().tokenize(captions, config.text().contextLength());
        return m.create(flatten(rows), new Shape(rows.length, rows[0].length));
    }

    private static long[] flatten(long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != rows[0].length) {
                throw new IllegalArgumentException("token rows must have equal length");
            }
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return flat;
    }

    /** One micro-batch's forward: normalised embeddings and the (unweighted) caption loss. */
    private record Forward(NDArray image, NDArray text, NDArray caption) {}

    private Forward forward(Batch b, NDArray ids, NDManager m) {
        NDArray tokens = imageTokens(pixels(b, m));
        NDArray caption = config.captionWeight() > 0 ? captionLoss(captionContext(tokens), ids) : null;
        return new Forward(Clip.normalize(imageFeatures(tokens)), Clip.normalize(textFeatures(ids)), caption);
    }

    /**
     * One step. Several micro-batches work as OpenCLIP's --accum-freq: embeddings of all of them are first computed
     * without gradient, then each micro-batch is recomputed with gradient and spliced in, so InfoNCE sees the
     * negatives of the whole accumulated batch; the caption loss of each micro-batch is divided by their number, so
     * the gradient is that of the mean. The logit scale takes its gradient from the first micro-batch only.
     * Reported terms are weighted ({@code caption_loss} = caption_weight x CE), so they sum to what was minimised.
     */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        NDArray scale = logitScale.array();
        List<NDArray> tokens = new ArrayList<>();
        List<NDArray> img = new ArrayList<>();
        List<NDArray> txt = new ArrayList<>();
        for (Batch b : micro) {
            tokens.add(ids(b.captions(), m));
        }
        if (micro.size() > 1) {
            try (NoGrad g = new NoGrad()) {
                for (int j = 0; j < micro.size(); j++) {
                    NDArray t = imageTokens(pixels(micro.get(j), m));
                    img.add(Clip.normalize(imageFeatures(t)));
                    txt.add(Clip.normalize(textFeatures(tokens.get(j))));
                }
            }
        }
        float contrastive = Float.NaN;
        float caption = 0;
        List<String> captions = new ArrayList<>();
        micro.forEach(b -> captions.addAll(b.captions()));
        boolean[][] positives = Positives.sameText(captions, captions); // as CLIP: identical captions match
        for (int j = 0; j < micro.size(); j++) {
            Forward f = forward(micro.get(j), tokens.get(j), m);
            NDArray loss = null;
            if (config.contrastiveWeight() > 0) {
                NDArray con;
                if (micro.size() == 1) {
                    con = InfoNce.loss(f.image(), f.text(), null, scale, positives);
                } else {
                    List<NDArray> imgJ = new ArrayList<>(img);
                    List<NDArray> txtJ = new ArrayList<>(txt);
                    imgJ.set(j, f.image());
                    txtJ.set(j, f.text());
                    con = InfoNce.loss(concat(imgJ), concat(txtJ), null, j == 0 ? scale : scale.stopGradient(),
                            positives);
                }
                loss = Scalars.mul(con, config.contrastiveWeight());
                if (j == 0) {
                    contrastive = loss.getFloat();
                }
            }
            if (f.caption() != null) {
                NDArray cap = Scalars.mul(f.caption(), config.captionWeight() / micro.size());
                caption += cap.getFloat();
                loss = loss == null ? cap : loss.add(cap);
            }
            gc.backward(loss);
        }
        Map<String, Float> out = new LinkedHashMap<>();
        if (config.captionWeight() > 0) {
            out.put("caption_loss", caption);
        }
        if (config.contrastiveWeight() > 0) {
            out.put("contrastive_loss", contrastive);
        }
        return out;
    }

    private static NDArray concat(List<NDArray> parts) {
        return NDArrays.concat(new NDList(parts.toArray(new NDArray[0])), 0);
    }

    /** OpenCLIP clamps the logit scale to [0, ln 100] after every update. */
    @Override
    public void afterUpdate() {
        LogitScale.clamp(logitScale);
    }

    // ------------------------------------------------------------------------------------------------ capabilities

    private static float[] rows(float[] pixels, long per, int start, int count) {
        return Arrays.copyOfRange(pixels, (int) (start * per), (int) ((start + count) * per));
    }

    private static void checkPixels(float[] pixels, int n, int height, int width) {
        long per = 3L * height * width;
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " pixel values for " + n + " images of 3x"
                    + height + "x" + width + ", got " + pixels.length);
        }
    }

    @Override
    public float[][] encodePixels(float[] pixels, int n, int height, int width) {
        checkPixels(pixels, n, height, width);
        long per = 3L * height * width;
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(rows(pixels, per, start, b), new Shape(b, 3, height, width));
                split(Clip.normalize(imageFeatures(imageTokens(x))).toFloatArray(), out, start, b);
            }
        }
        return out;
    }

    /** Token ids [n][L] -> normalised text embeddings. */
    public float[][] encodeTokenIds(long[][] ids) {
        float[][] out = new float[ids.length][];
        for (int start = 0; start < ids.length; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, ids.length - start);
            long[][] part = Arrays.copyOfRange(ids, start, start + b);
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(flatten(part), new Shape(b, part[0].length));
                split(Clip.normalize(textFeatures(x)).toFloatArray(), out, start, b);
            }
        }
        return out;
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        return encodeTokenIds(requireTokenizer().tokenize(texts, config.text().contextLength()));
    }

    @Override
    public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
        float scale = (float) Math.exp(logitScale.array().getFloat());
        float[][] out = new float[imageEmbeds.length][textEmbeds.length];
        for (int i = 0; i < imageEmbeds.length; i++) {
            for (int j = 0; j < textEmbeds.length; j++) {
                float dot = 0;
                for (int k = 0; k < imageEmbeds[i].length; k++) {
                    dot += imageEmbeds[i][k] * textEmbeds[j][k];
                }
                out[i][j] = scale * dot;
            }
        }
        return out;
    }

    private static void split(float[] flat, float[][] out, int start, int rows) {
        int d = flat.length / rows;
        for (int i = 0; i < rows; i++) {
            out[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
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
     * log p(text | image) under the multimodal decoder: each text's tokens after the start token, end token
     * included, teacher-forced against the image's captioning context ({@link SequenceLogProbs}); up to
     * {@value #INFERENCE_BATCH} texts of one image per forward pass. (CoCa has no image likelihood.)
     */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts, Direction direction) {
        requireDirection(direction);
        checkPixels(pixels, n, height, width);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to score");
        }
        Tokenizer tok = requireTokenizer();
        long[][] ids = tok.tokenize(texts, config.text().contextLength());
        int[] from = new int[ids.length];
        int[] to = new int[ids.length];
        for (int j = 0; j < ids.length; j++) {
            from[j] = 1;
            to[j] = ids[j].length;
            for (int k = 1; k < ids[j].length; k++) {
                if (ids[j][k] == tok.eotId()) {
                    to[j] = k + 1;
                    break;
                }
            }
        }
        long per = 3L * height * width;
        float[][] out = new float[n][texts.size()];
        for (int i = 0; i < n; i++) {
            for (int t0 = 0; t0 < ids.length; t0 += INFERENCE_BATCH) {
                int b = Math.min(INFERENCE_BATCH, ids.length - t0);
                try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                    NDArray x = m.create(rows(pixels, per, i, 1), new Shape(1, 3, height, width));
                    NDArray context = captionContext(imageTokens(x)).repeat(0, b);
                    double[] s = SequenceLogProbs.sum(decoder, context, Arrays.copyOfRange(ids, t0, t0 + b),
                            Arrays.copyOfRange(from, t0, t0 + b), Arrays.copyOfRange(to, t0, t0 + b), padId(), m);
                    for (int k = 0; k < b; k++) {
                        out[i][t0 + k] = (float) s[k];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Generated token ids per image (start token not included; the end-of-text token, when reached, is the last),
     * each row prompted with the start token. The model's end-of-text id is added to the stop tokens.
     */
    public long[][] generate(float[] pixels, int n, int height, int width, GenerationConfig generation) {
        checkPixels(pixels, n, height, width);
        Tokenizer tok = requireTokenizer();
        Set<Integer> stops = new HashSet<>(generation.stopTokens());
        stops.add(tok.eotId());
        GenerationConfig g = new GenerationConfig(generation.maxNewTokens(), generation.beamSize(), generation.sample(),
                generation.temperature(), generation.topK(), generation.topP(), generation.lengthPenalty(), stops,
                generation.seed());
        long per = 3L * height * width;
        long[][] out = new long[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            long[][] prompts = new long[b][];
            for (int i = 0; i < b; i++) {
                prompts[i] = new long[] {tok.sotId()};
            }
            try (NDScope scope = new NDScope(); NoGrad ng = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(rows(pixels, per, start, b), new Shape(b, 3, height, width));
                NDArray context = captionContext(imageTokens(x));
                long[][] tokens = Generator.generate(decoder, context, null, prompts, g).tokens();
                System.arraycopy(tokens, 0, out, start, b);
            }
        }
        return out;
    }

    @Override
    public List<String> caption(float[] pixels, int n, int height, int width, GenerationConfig generation) {
        Tokenizer tok = requireTokenizer();
        List<String> out = new ArrayList<>(n);
        for (long[] row : generate(pixels, n, height, width, generation)) {
            int[] ids = new int[row.length];
            int k = 0;
            for (long id : row) {
                if (id == tok.eotId()) {
                    break;
                }
                ids[k++] = (int) id;
            }
            out.add(tok.decode(Arrays.copyOf(ids, k)).strip());
        }
        return out;
    }
}
