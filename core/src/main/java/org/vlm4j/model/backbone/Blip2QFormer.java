package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.io.StateDict;
import org.vlm4j.loss.Matching;
import org.vlm4j.loss.InfoNce;
import org.vlm4j.loss.LogitScale;
import org.vlm4j.loss.NextToken;
import org.vlm4j.loss.Positives;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.QFormer;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * BLIP-2 stage 1 (Li et al. 2023): the Q-Former learns to pull from the frozen image the features the text needs,
 * with three objectives sharing its layers, each with its own self-attention mask over [queries | text]:
 * <ul>
 *   <li>image-text contrastive ({@code itc_loss}): queries alone and text alone (unimodal: neither sees the other);
 *       the similarity of an image and a text is the maximum over the queries of query-embedding · text-embedding
 *       (text embedding at the start token); InfoNCE, identical captions counted as positives;</li>
 *   <li>image-text matching ({@code itm_loss}): queries and text see each other (bidirectional); a linear head on the
 *       mean query output classifies match / no match over the batch's pairs and, per image and per text, the
 *       hardest negative under the contrastive similarity;</li>
 *   <li>image-grounded text generation ({@code itg_loss}): queries see queries, text sees all queries and the text
 *       before it (multimodal causal); next-token cross-entropy with the head tied to the text embedding.</li>
 * </ul>
 * Only the queries cross-attend to the image (every other layer). Parameters: {@code visual.*} (frozen),
 * {@code qformer.*}, {@code token_embed}, {@code pos_embed}, {@code ln_embed.*}, {@code vision_proj.*},
 * {@code text_proj.*}, {@code itm_head.*}, {@code logit_scale}. Its Q-Former initialises a stage-2 {@link Blip2}.
 */
public final class Blip2QFormer extends Module implements Pretrainable, ImageTextScorer, VlmModel {
    public static final String FAMILY = "blip2-qformer";

    private final QFormerConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final VisionTransformer visual;
    private final QFormer qformer;
    private final Param tokenEmbed;
    private final Param posEmbed;
    private final LayerNorm lnEmbed;
    private final Linear visionProj;
    private final Linear textProj;
    private final Linear itmHead;
    private final Param logitScale;
    private final ImagePreprocessor preprocessor;

    public Blip2QFormer(QFormerConfig config, Tokenizer tokenizer, long seed) {
        this.config = config;
        this.tokenizer = tokenizer;
        if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but vocab_size is "
                    + config.vocabSize());
        }
        Vlm4jEngine.init();
        this.manager = NDManager.newBaseManager();
        Init init = new Init(manager, seed);
        int w = config.width();
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        visual.setTrainable(false);
        this.qformer = child("qformer", new QFormer(init, config.queries(), w, config.layers(), config.heads(), 4 * w,
                config.vision().width(), 2, config.vision().lnEps()));
        this.tokenEmbed = param("token_embed", init.normal(0.02, config.vocabSize(), w));
        this.posEmbed = param("pos_embed", init.normal(0.01, config.contextLength(), w));
        this.lnEmbed = child("ln_embed", new LayerNorm(init, w, 1e-5f));
        this.visionProj = child("vision_proj", new Linear(init, w, config.embedDim(), true));
        this.textProj = child("text_proj", new Linear(init, w, config.embedDim(), true));
        this.itmHead = child("itm_head", new Linear(init, w, 2, true));
        this.logitScale = param("logit_scale", manager.create(config.logitScaleInit()));
        this.preprocessor = new ImagePreprocessor(config.preprocess());
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public QFormerConfig config() {
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

    public QFormer qformer() {
        return qformer;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Copies a pretrained vision tower (same architecture). */
    public void loadVision(VisionTransformer source) {
        StateDict.load(visual, StateDict.of(source), "vision tower");
    }

    // ------------------------------------------------------------------------------------------------ parts

    /** Token rows [N][L] (start, text, end, padding) and which positions are real (up to the end token). */
    private record Text(NDArray ids, boolean[][] valid, int length) {}

    private Text text(List<String> captions, NDManager m) {
        Tokenizer tok = requireTokenizer();
        long[][] rows = tok.tokenize(captions, config.contextLength());
        int l = rows[0].length;
        long[] flat = new long[rows.length * l];
        boolean[][] valid = new boolean[rows.length][l];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * l, l);
            boolean on = true;
            for (int j = 0; j < l; j++) {
                valid[i][j] = on;
                on &= rows[i][j] != tok.eotId();
            }
        }
        return new Text(m.create(flat, new Shape(rows.length, l)), valid, l);
    }

    private NDArray embed(NDArray ids) {
        int l = (int) ids.getShape().get(1);
        NDArray x = Embedding.embedding(ids, tokenEmbed.array(), SparseFormat.DENSE).singletonOrThrow();
        return lnEmbed.forward(x.add(posEmbed.array().get("0:" + l + ", :")));
    }

    /** Additive key mask [N, 1, 1, prefix + L]: the first {@code prefix} keys (queries) always valid. */
    private static NDArray keyMask(boolean[][] valid, int prefix, int l, NDManager m) {
        float[] v = new float[valid.length * (prefix + l)];
        for (int i = 0; i < valid.length; i++) {
            for (int j = 0; j < prefix + l; j++) {
                v[i * (prefix + l) + j] = j < prefix || valid[i][j - prefix] ? 1f : 0f;
            }
        }
        return Masks.keyPadding(m.create(v, new Shape(valid.length, prefix + l)));
    }

    /** [Q + L, Q + L]: queries see queries; text sees every query and the text up to itself. */
    static NDArray multimodalCausal(int q, int l, NDManager m) {
        int n = q + l;
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean ok = j < q || (i >= q && j <= i);
                mask[i * n + j] = ok ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(mask, new Shape(n, n));
    }

    private NDArray frozenImageTokens(NDArray pixels) {
        try (NoGrad g = new NoGrad()) {
            return visual.tokens(pixels);
        }
    }

    /** Normalised query embeddings [N, Q, E]. */
    private NDArray queryEmbeddings(NDArray imageTokens) {
        NDArray q = visionProj.forward(qformer.forward(imageTokens));
        return q.div(q.norm(new int[] {-1}, true).add(1e-6f));
    }

    /** Normalised text embeddings [N, E] (unimodal, at the start token). */
    private NDArray textEmbeddings(Text t, NDManager m) {
        NDArray h = qformer.forward(null, embed(t.ids()), keyMask(t.valid(), 0, t.length(), m));
        return Clip.normalize(textProj.forward(h.get(":, 0, :")));
    }

    /** Max over queries of query · text: [Ni, Nt]. */
    private static NDArray similarity(NDArray queries, NDArray texts) {
        Shape s = queries.getShape();
        return queries.reshape(s.get(0) * s.get(1), s.get(2)).matMul(texts.transpose())
                .reshape(s.get(0), s.get(1), texts.getShape().get(0)).max(new int[] {1});
    }

    /** Match logits [M, 2] of pairs (image tokens[i], text rows[i]). */
    private NDArray matchLogits(NDArray imageTokens, NDArray textEmb, boolean[][] valid, NDManager m) {
        int q = config.queries();
        int l = (int) textEmb.getShape().get(1);
        NDArray h = qformer.forward(imageTokens, textEmb, keyMask(valid, q, l, m));
        return itmHead.forward(h.get(":, 0:" + q + ", :").mean(new int[] {1}));
    }

    // ------------------------------------------------------------------------------------------------ training

    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        Map<String, Float> out = new LinkedHashMap<>();
        out.put("itc_loss", 0f);
        out.put("itm_loss", 0f);
        out.put("itg_loss", 0f);
        for (Batch b : micro) {
            NDArray image = frozenImageTokens(m.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width())));
            Text t = text(b.captions(), m);
            boolean[][] pos = Positives.sameText(b.captions(), b.captions());
            // contrastive
            NDArray sim = similarity(queryEmbeddings(image), textEmbeddings(t, m));
            NDArray itc = InfoNce.fromSimilarity(sim, logitScale.array(), pos);
            // matching: the pairs, then per image its hardest text and per text its hardest image
            int n = b.size();
            float[][] s = rows(sim.stopGradient().toFloatArray(), n);
            boolean[][] same = pos != null ? pos : identity(n);
            int[] hardText = Matching.hardest(s, same);
            int[] hardImage = Matching.hardest(Matching.transpose(s), same);
            List<Long> imgIdx = new ArrayList<>();
            List<Long> txtIdx = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                imgIdx.add((long) i);
                txtIdx.add((long) i);
                labels.add(1);
                if (hardText[i] >= 0) {
                    imgIdx.add((long) i);
                    txtIdx.add((long) hardText[i]);
                    labels.add(0);
                }
                if (hardImage[i] >= 0) {
                    imgIdx.add((long) hardImage[i]);
                    txtIdx.add((long) i);
                    labels.add(0);
                }
            }
            NDArray ii = m.create(imgIdx.stream().mapToLong(Long::longValue).toArray());
            NDArray ti = m.create(txtIdx.stream().mapToLong(Long::longValue).toArray());
            boolean[][] pairValid = new boolean[txtIdx.size()][];
            for (int k = 0; k < txtIdx.size(); k++) {
                pairValid[k] = t.valid()[txtIdx.get(k).intValue()];
            }
            NDArray itm = Matching.loss(matchLogits(image.get(ii), embed(t.ids()).get(ti), pairValid, m),
                    labels.stream().mapToInt(Integer::intValue).toArray());
            // image-grounded generation
            int l = t.length();
            NDArray in = t.ids().get(":, 0:" + (l - 1));
            int q = config.queries();
            NDArray h = qformer.forward(image, embed(in), multimodalCausal(q, l - 1, m));
            NDArray logits = ai.djl.nn.core.Linear.linear(h.get(":, " + q + ":, :"), tokenEmbed.array())
                    .singletonOrThrow();
            NDArray itg = NextToken.loss(logits, t.ids().get(":, 1:" + l), requireTokenizer().padId());
            float k = micro.size();
            NDArray total = Scalars.div(itc.add(itm).add(itg), k);
            out.merge("itc_loss", itc.getFloat() / k, Float::sum);
            out.merge("itm_loss", itm.getFloat() / k, Float::sum);
            out.merge("itg_loss", itg.getFloat() / k, Float::sum);
            gc.backward(total);
        }
        return out;
    }

    @Override
    public void afterUpdate() {
        LogitScale.clamp(logitScale);
    }

    private static float[][] rows(float[] flat, int n) {
        float[][] out = new float[n][];
        int d = flat.length / n;
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }

    private static boolean[][] identity(int n) {
        boolean[][] p = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            p[i][i] = true;
        }
        return p;
    }

    private Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("this " + FAMILY + " model has no tokenizer");
        }
        return tokenizer;
    }

    // ------------------------------------------------------------------------------------------------ capabilities

    /** The matching score (match logit minus no-match logit) of every (image, text) pair, [n][texts]. */
    @Override
    public float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
        float[][] out = new float[n][texts.size()];
        long per = 3L * height * width;
        for (int i = 0; i < n; i++) {
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                NDArray x = m.create(Arrays.copyOfRange(pixels, (int) (i * per), (int) ((i + 1) * per)),
                        new Shape(1, 3, height, width));
                NDArray image = visual.tokens(x);
                Text t = text(texts, m);
                NDArray rep = image.broadcast(texts.size(), image.getShape().get(1), image.getShape().get(2));
                float[] lg = matchLogits(rep, embed(t.ids()), t.valid(), m).toFloatArray();
                for (int j = 0; j < texts.size(); j++) {
                    out[i][j] = lg[2 * j + 1] - lg[2 * j];
                }
            }
        }
        return out;
    }
}
