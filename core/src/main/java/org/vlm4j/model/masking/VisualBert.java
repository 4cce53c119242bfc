package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.loss.Matching;
import org.vlm4j.loss.MaskedTokens;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.Transformer;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;

/**
 * VisualBERT, single stream:
 * <pre>
 *  ids    -> token + position + segment 0 embeddings --+
 *  pixels -> ViT stem tokens -> proj + segment 1 -------+-> LN -> one Transformer (bidirectional) -> LN
 *            fused [CLS] -> itm_head (match / no match);  fused text tokens -> mlm_head (masked words)
 * </pre>
 * The original reads detector region features; here the image side is the patch tokens of a ViT stem, as the issue
 * asks. Loss = mlm_weight x MLM (BERT's rule on the true pairs) + itm_weight x ITM (every true pair, a random other
 * caption per image, a random other image per caption, and the dataset's hard negative captions; a single-stream
 * model has no contrastive similarities to pick hard ones from). Parameter names: {@code visual.*},
 * {@code visual_proj.*}, {@code token_embed}, {@code pos_embed}, {@code segment_embed}, {@code ln_embed.*},
 * {@code transformer.*}, {@code ln_final.*}, {@code mlm_head.*}, {@code itm_head.*}.
 */
public class VisualBert extends MaskingModel {
    public static final String FAMILY = "visualbert";

    private final VisualBertConfig config;
    private final VisionTransformer visual;
    private final Linear visualProj;
    private final Param tokenEmbed;
    private final Param posEmbed;
    private final Param segmentEmbed;
    private final LayerNorm lnEmbed;
    private final Transformer transformer;
    private final LayerNorm lnFinal;
    private final MlmHead mlmHead;
    private final Linear itmHead;

    public VisualBert(VisualBertConfig config, Tokenizer tokenizer, long seed) {
        super(tokenizer, config.vocabSize(), config.preprocess());
        this.config = config;
        Init init = new Init(manager, seed);
        int w = config.width();
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.visualProj = child("visual_proj", new Linear(init, config.vision().width(), w, true));
        this.tokenEmbed = param("token_embed", init.normal(0.02, vocab.size(), w));
        this.posEmbed = param("pos_embed", init.normal(0.01, config.contextLength(), w));
        this.segmentEmbed = param("segment_embed", init.normal(0.02, 2, w));
        this.lnEmbed = child("ln_embed", new LayerNorm(init, w, config.lnEps()));
        this.transformer = child("transformer", new Transformer(init, config.block(), config.layers()));
        this.lnFinal = child("ln_final", new LayerNorm(init, w, config.lnEps()));
        this.mlmHead = child("mlm_head", new MlmHead(init, w, vocab.size(), config.activation(), config.lnEps()));
        this.itmHead = child("itm_head", new Linear(init, w, 2, true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public VisualBertConfig config() {
        return config;
    }

    @Override
    protected int contextLength() {
        return config.contextLength();
    }

    /** pixels -> the image tokens as the fused transformer reads them [N, T, width] (projected, segment 1 added). */
    public NDArray imageTokens(NDArray pixels) {
        return visualProj.forward(visual.tokens(pixels)).add(segmentEmbed.array().get(1));
    }

    /** Image tokens [N, T, W] and text ids [N, L] -> fused hidden states [N, L + T, W], text first. */
    public NDArray fuse(NDArray image, NDArray ids) {
        long n = ids.getShape().get(0);
        long l = ids.getShape().get(1);
        long t = image.getShape().get(1);
        NDArray text = Embedding.embedding(ids, tokenEmbed.array(), SparseFormat.DENSE).singletonOrThrow()
                .add(posEmbed.array().get("0:" + l + ", :")).add(segmentEmbed.array().get(0));
        NDArray x = lnEmbed.forward(text.concat(image, 1));
        NDArray valid = textValid(ids).concat(ids.getManager().ones(new Shape(n, t)), 1);
        return lnFinal.forward(transformer.forward(x, Masks.keyPadding(valid)));
    }

    @Override
    protected NDArray matchLogits(NDArray pixels, NDArray ids) {
        return itmHead.forward(fuse(imageTokens(pixels), ids).get(":, 0, :"));
    }

    @Override
    protected NDArray maskedLogits(NDArray pixels, NDArray ids) {
        long l = ids.getShape().get(1);
        return mlmHead.forward(fuse(imageTokens(pixels), ids).get(":, 0:" + l + ", :"));
    }

    /** One step: per micro-batch, MLM on its true pairs and ITM on its matching rows; terms are batch means. */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        SplittableRandom rng = stepRandom(micro, 0x5EED_0001L);
        float mlmSum = 0;
        float itmSum = 0;
        for (Batch b : micro) {
            NDArray image = imageTokens(pixels(b, m));
            NDArray loss = null;
            if (config.mlmWeight() > 0) {
                long[][] rows = rows(b.captions());
                MaskedTokens.Masked masked = maskText(rows, config.maskProb(), rng);
                long l = rows[0].length;
                NDArray logits = mlmHead.forward(fuse(image, ids(masked.inputs(), m)).get(":, 0:" + l + ", :"));
                NDArray mlm = Scalars.mul(MaskedTokens.loss(logits, targets(masked, m)),
                        config.mlmWeight() / micro.size());
                mlmSum += mlm.getFloat();
                loss = mlm;
            }
            if (config.itmWeight() > 0) {
                MatchRows mr = matchRows(b.captions(), hardNegatives(b), null, rng);
                NDArray h = fuse(select(image, mr.images()), ids(rows(mr.texts()), m));
                NDArray itm = Scalars.mul(Matching.loss(itmHead.forward(h.get(":, 0, :")), mr.labels()),
                        config.itmWeight() / micro.size());
                itmSum += itm.getFloat();
                loss = loss == null ? itm : loss.add(itm);
            }
            gc.backward(loss);
        }
        Map<String, Float> out = new LinkedHashMap<>();
        if (config.mlmWeight() > 0) {
            out.put("mlm_loss", mlmSum);
        }
        if (config.itmWeight() > 0) {
            out.put("itm_loss", itmSum);
        }
        return out;
    }
}
