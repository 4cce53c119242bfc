package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.loss.InfoNce;
import org.vlm4j.loss.LogitScale;
import org.vlm4j.loss.MaskedPatches;
import org.vlm4j.loss.MaskedTokens;
import org.vlm4j.loss.Matching;
import org.vlm4j.loss.Positives;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.TextTransformer;
import org.vlm4j.nn.Transformer;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;

/**
 * MaskVLM:
 * <pre>
 *  pixels (patches blanked) -> image encoder -> image cross-encoder (reads the text encoder on the full text)
 *                                               -> image_decoder -> masked pixels      (mim_loss)
 *  ids ([MASK]ed)           -> text encoder  -> text cross-encoder (reads the image encoder on the full image)
 *                                               -> mlm_head -> masked words            (mlm_loss)
 *  full image, full text    -> [CLS] projections -> InfoNCE                            (contrastive_loss)
 *                              text cross-encoder [CLS] -> itm_head                    (itm_loss)
 * </pre>
 * Pixel-space masking: a masked patch's pixels are set to 0 (the dataset mean after normalisation) before the
 * encoder, and its targets are the original pixels normalised per patch. ITM negatives are drawn by softmax of the
 * cosine similarities at temperature 1 (plus dataset hard negatives); see {@link Flava} for why not at the learned
 * scale. Cross-encoders are the shared {@link Transformer} with
 * cross-attention. Parameter names: {@code visual.*}, {@code text.*}, {@code image_proj.*}, {@code text_proj.*},
 * {@code logit_scale}, {@code image_cross.*}, {@code text_cross.*}, {@code ln_image.*}, {@code ln_text.*},
 * {@code image_decoder.*}, {@code mlm_head.*}, {@code itm_head.*}.
 */
public class MaskVlm extends DualEncoderModel {
    public static final String FAMILY = "maskvlm";

    private final MaskVlmConfig config;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final Linear imageProj;
    private final Linear textProj;
    private final Param logitScale;
    private final Transformer imageCross;
    private final Transformer textCross;
    private final LayerNorm lnImage;
    private final LayerNorm lnText;
    private final MlmHead imageDecoder;
    private final MlmHead mlmHead;
    private final Linear itmHead;

    public MaskVlm(MaskVlmConfig config, Tokenizer tokenizer, long seed) {
        super(tokenizer, config.text().vocabSize() - 2, config.preprocess());
        this.config = config;
        Init init = new Init(manager, seed);
        int dv = config.vision().width();
        int dt = config.text().width();
        int patch = config.vision().patchSize();
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.text = child("text", new TextTransformer(init, config.text()));
        this.imageProj = child("image_proj", new Linear(init, dv, config.embedDim(), false));
        this.textProj = child("text_proj", new Linear(init, dt, config.embedDim(), false));
        this.logitScale = param("logit_scale", manager.create(config.logitScaleInit()));
        this.imageCross = child("image_cross", new Transformer(init, config.imageCrossBlock(), config.crossLayers()));
        this.textCross = child("text_cross", new Transformer(init, config.textCrossBlock(), config.crossLayers()));
        this.lnImage = child("ln_image", new LayerNorm(init, dv, config.vision().lnEps()));
        this.lnText = child("ln_text", new LayerNorm(init, dt, config.text().lnEps()));
        this.imageDecoder = child("image_decoder", new MlmHead(init, dv, 3 * patch * patch,
                config.vision().activation(), config.vision().lnEps()));
        this.mlmHead = child("mlm_head", new MlmHead(init, dt, vocab.size(), config.text().activation(),
                config.text().lnEps()));
        this.itmHead = child("itm_head", new Linear(init, dt, 2, true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public MaskVlmConfig config() {
        return config;
    }

    @Override
    protected int contextLength() {
        return config.text().contextLength();
    }

    @Override
    public int embedDim() {
        return config.embedDim();
    }

    @Override
    protected Param logitScale() {
        return logitScale;
    }

    private NDArray textStates(NDArray ids) {
        return text.tokens(ids, textValid(ids));
    }

    /** Text states [N, L, Dt] read with the image states [N, 1 + T, Dv] -> [N, L, Dt]. */
    private NDArray textCross(NDArray textStates, NDArray ids, NDArray imageStates) {
        return lnText.forward(textCross.forward(textStates, Masks.keyPadding(textValid(ids)), imageStates, null));
    }

    /** Image states read with the text states (padding hidden) -> [N, 1 + T, Dv]. */
    private NDArray imageCross(NDArray imageStates, NDArray textStates, NDArray ids) {
        return lnImage.forward(imageCross.forward(imageStates, null, textStates, Masks.keyPadding(textValid(ids))));
    }

    @Override
    protected NDArray imageEmbeddingOf(NDArray pixels) {
        return Clip.normalize(imageProj.forward(visual.tokens(pixels).get(":, 0, :")));
    }

    @Override
    protected NDArray textEmbeddingOf(NDArray ids) {
        return Clip.normalize(textProj.forward(textStates(ids).get(":, 0, :")));
    }

    @Override
    protected NDArray matchLogits(NDArray pixels, NDArray ids) {
        return itmHead.forward(textCross(textStates(ids), ids, visual.tokens(pixels)).get(":, 0, :"));
    }

    @Override
    protected NDArray maskedLogits(NDArray pixels, NDArray ids) {
        return mlmHead.forward(textCross(textStates(ids), ids, visual.tokens(pixels)));
    }

    /** Pixels with the masked patches set to 0, [N, 3, H, W]. */
    private static float[] blank(float[] pixels, int n, int size, int patch, boolean[][] mask) {
        float[] out = pixels.clone();
        int g = size / patch;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < g * g; t++) {
                if (!mask[i][t]) {
                    continue;
                }
                int y0 = t / g * patch;
                int x0 = t % g * patch;
                for (int c = 0; c < 3; c++) {
                    for (int y = y0; y < y0 + patch; y++) {
                        int base = ((i * 3 + c) * size + y) * size + x0;
                        java.util.Arrays.fill(out, base, base + patch, 0f);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        SplittableRandom rng = stepRandom(micro, 0x5EED_0004L);
        float k = 1f / micro.size();
        MaskVlmConfig c = config;
        Map<String, Float> out = new LinkedHashMap<>();
        for (Batch b : micro) {
            NDArray px = pixels(b, m);
            long[][] rows = rows(b.captions());
            NDArray ids = ids(rows, m);
            NDArray img = visual.tokens(px);
            NDArray txt = textStates(ids);
            NDArray loss = null;
            NDArray ie = Clip.normalize(imageProj.forward(img.get(":, 0, :")));
            NDArray te = Clip.normalize(textProj.forward(txt.get(":, 0, :")));
            if (c.contrastiveWeight() > 0) {
                NDArray con = InfoNce.loss(ie, te, null, logitScale.array(),
                        Positives.sameText(b.captions(), b.captions()));
                loss = addTerm(out, "contrastive_loss", loss, con, c.contrastiveWeight() * k);
            }
            if (c.itmWeight() > 0) {
                float[][] sims = similarities(ie, te, 1f);
                MatchRows mr = matchRows(b.captions(), hardNegatives(b), sims, rng);
                NDArray mids = ids(rows(mr.texts()), m);
                NDArray h = textCross(textStates(mids), mids, select(img, mr.images()));
                loss = addTerm(out, "itm_loss", loss, Matching.loss(itmHead.forward(h.get(":, 0, :")), mr.labels()),
                        c.itmWeight() * k);
            }
            if (c.mimWeight() > 0) {
                int g = c.vision().grid();
                int patch = c.vision().patchSize();
                boolean[][] mask = MaskedPatches.randomMask(b.size(), g * g, c.imageMaskRatio(), rng);
                NDArray blanked = m.create(blank(b.pixels(), b.size(), b.height(), patch, mask),
                        new Shape(b.size(), 3, b.height(), b.width()));
                NDArray h = imageCross(visual.tokens(blanked), txt, ids);
                NDArray targets = MaskedPatches.pixelTargets(MaskedPatches.patchify(px, patch));
                NDArray mim = MaskedPatches.pixelLoss(imageDecoder.forward(h.get(":, 1:, :")), targets,
                        MaskedPatches.asArray(mask, m));
                loss = addTerm(out, "mim_loss", loss, mim, c.mimWeight() * k);
            }
            if (c.mlmWeight() > 0) {
                MaskedTokens.Masked masked = maskText(rows, c.maskProb(), rng);
                NDArray mids = ids(masked.inputs(), m);
                NDArray h = textCross(textStates(mids), mids, img);
                loss = addTerm(out, "mlm_loss", loss, MaskedTokens.loss(mlmHead.forward(h), targets(masked, m)),
                        c.mlmWeight() * k);
            }
            gc.backward(loss);
        }
        return out;
    }

    @Override
    public void afterUpdate() {
        LogitScale.clamp(logitScale);
    }
}
