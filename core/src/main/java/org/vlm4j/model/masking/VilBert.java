package org.vlm4j.model.masking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Batch;
import org.vlm4j.loss.MaskedPatches;
import org.vlm4j.loss.MaskedTokens;
import org.vlm4j.loss.Matching;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.LayerNorm;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Masks;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.TextTransformer;
import org.vlm4j.nn.Transformer;
import org.vlm4j.nn.VisionTransformer;
import org.vlm4j.text.Tokenizer;

/**
 * ViLBERT, two streams joined by co-attention:
 * <pre>
 *  ids    -> text stream layers  --+--> co-attention layer 1 ... k --> text states  -> mlm_head
 *  pixels -> image stream (ViT)  --+    (text queries x image keys/values, and the reverse)  -> image states -> mim_head
 *  ITM: ([CLS] state * [IMG] state) -> itm_head
 * </pre>
 * A co-attention layer is a pair of the shared {@link org.vlm4j.nn.TransformerBlock}s in cross mode (each a
 * one-layer {@link Transformer}): the text block cross-attends to the image stream's states of the previous layer and
 * the image block to the text stream's, so both read the other before either is updated. No new attention class.
 * Loss = mlm_weight x MLM + mim_weight x masked patch modelling (both on the true pairs, text and image masked in the
 * same pass; pixel targets normalised per patch) + itm_weight x ITM (unmasked; a random other caption per image, a
 * random other image per caption, dataset hard negatives). Parameter names: {@code visual.*}, {@code text.*},
 * {@code image_mask_token}, {@code co_text.N.*}, {@code co_image.N.*}, {@code ln_text.*}, {@code ln_image.*},
 * {@code mlm_head.*}, {@code mim_head.*}, {@code itm_head.*}.
 */
public class VilBert extends MaskingModel {
    public static final String FAMILY = "vilbert";

    private final VilBertConfig config;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final Param imageMaskToken;
    private final List<Transformer> coText = new ArrayList<>();
    private final List<Transformer> coImage = new ArrayList<>();
    private final LayerNorm lnText;
    private final LayerNorm lnImage;
    private final MlmHead mlmHead;
    private final MlmHead mimHead;
    private final Linear itmText;
    private final Linear itmImage;
    private final Linear itmHead;

    public VilBert(VilBertConfig config, Tokenizer tokenizer, long seed) {
        super(tokenizer, config.text().vocabSize() - 2, config.preprocess());
        this.config = config;
        Init init = new Init(manager, seed);
        int dv = config.vision().width();
        int dt = config.text().width();
        int patch = config.vision().patchSize();
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.text = child("text", new TextTransformer(init, config.text()));
        this.imageMaskToken = param("image_mask_token", init.normal(0.02, dv));
        Stack ct = child("co_text", new Stack());
        Stack ci = child("co_image", new Stack());
        for (int i = 0; i < config.coLayers(); i++) {
            coText.add(ct.add(i, new Transformer(init, config.textCoBlock(), 1)));
            coImage.add(ci.add(i, new Transformer(init, config.imageCoBlock(), 1)));
        }
        this.lnText = child("ln_text", new LayerNorm(init, dt, config.text().lnEps()));
        this.lnImage = child("ln_image", new LayerNorm(init, dv, config.vision().lnEps()));
        this.mlmHead = child("mlm_head", new MlmHead(init, dt, vocab.size(), config.text().activation(),
                config.text().lnEps()));
        this.mimHead = child("mim_head", new MlmHead(init, dv, 3 * patch * patch, config.vision().activation(),
                config.vision().lnEps()));
        // ViLBERT's ITM reads the element-wise product of [CLS] and [IMG]; the streams may differ in width, so each
        // is first mapped to the text width
        this.itmText = child("itm_text", new Linear(init, dt, dt, true));
        this.itmImage = child("itm_image", new Linear(init, dv, dt, true));
        this.itmHead = child("itm_head", new Linear(init, dt, 2, true));
    }

    /** Names co-attention layers 0, 1, 2... */
    private static final class Stack extends Module {
        Transformer add(int i, Transformer t) {
            return child(Integer.toString(i), t);
        }
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public VilBertConfig config() {
        return config;
    }

    @Override
    protected int contextLength() {
        return config.text().contextLength();
    }

    /** Both streams after the co-attention layers: {text [N, L, Dt], image [N, 1 + T, Dv]}. */
    public NDArray[] streams(NDArray imageStates, NDArray ids) {
        NDArray valid = textValid(ids);
        NDArray t = text.tokens(ids, valid);
        NDArray v = imageStates;
        NDArray textKeys = Masks.keyPadding(valid);
        for (int i = 0; i < coText.size(); i++) {
            NDArray nt = coText.get(i).forward(t, textKeys, v, null);
            NDArray nv = coImage.get(i).forward(v, null, t, textKeys);
            t = nt;
            v = nv;
        }
        return new NDArray[] {lnText.forward(t), lnImage.forward(v)};
    }

    private NDArray itm(NDArray[] s) {
        NDArray cls = itmText.forward(s[0].get(":, 0, :"));
        NDArray img = itmImage.forward(s[1].get(":, 0, :"));
        return itmHead.forward(cls.mul(img));
    }

    @Override
    protected NDArray matchLogits(NDArray pixels, NDArray ids) {
        return itm(streams(visual.tokens(pixels), ids));
    }

    @Override
    protected NDArray maskedLogits(NDArray pixels, NDArray ids) {
        return mlmHead.forward(streams(visual.tokens(pixels), ids)[0]);
    }

    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        SplittableRandom rng = stepRandom(micro, 0x5EED_0003L);
        float k = 1f / micro.size();
        float mlmSum = 0;
        float mimSum = 0;
        float itmSum = 0;
        VilBertConfig c = config;
        for (Batch b : micro) {
            NDArray px = pixels(b, m);
            long[][] rows = rows(b.captions());
            NDArray loss = null;
            if (c.mlmWeight() > 0 || c.mimWeight() > 0) {
                int tokens = c.vision().grid() * c.vision().grid();
                boolean[][] patchMask = MaskedPatches.randomMask(b.size(), tokens, c.imageMaskRatio(), rng);
                NDArray maskArray = MaskedPatches.asArray(patchMask, m);
                MaskedTokens.Masked masked = maskText(rows, c.maskProb(), rng);
                NDArray[] s = streams(visual.tokens(px, maskArray, imageMaskToken.array()), ids(masked.inputs(), m));
                if (c.mlmWeight() > 0) {
                    NDArray mlm = Scalars.mul(MaskedTokens.loss(mlmHead.forward(s[0]), targets(masked, m)),
                            c.mlmWeight() * k);
                    mlmSum += mlm.getFloat();
                    loss = mlm;
                }
                if (c.mimWeight() > 0) {
                    NDArray targets = MaskedPatches.pixelTargets(MaskedPatches.patchify(px, c.vision().patchSize()));
                    NDArray mim = Scalars.mul(MaskedPatches.pixelLoss(mimHead.forward(s[1].get(":, 1:, :")), targets,
                            maskArray), c.mimWeight() * k);
                    mimSum += mim.getFloat();
                    loss = loss == null ? mim : loss.add(mim);
                }
            }
            if (c.itmWeight() > 0) {
                MatchRows mr = matchRows(b.captions(), hardNegatives(b), null, rng);
                NDArray image = select(visual.tokens(px), mr.images());
                NDArray itm = Scalars.mul(Matching.loss(itm(streams(image, ids(rows(mr.texts()), m))), mr.labels()),
                        c.itmWeight() * k);
                itmSum += itm.getFloat();
                loss = loss == null ? itm : loss.add(itm);
            }
            gc.backward(loss);
        }
        Map<String, Float> out = new LinkedHashMap<>();
        if (c.mlmWeight() > 0) {
            out.put("mlm_loss", mlmSum);
        }
        if (c.mimWeight() > 0) {
            out.put("mim_loss", mimSum);
        }
        if (c.itmWeight() > 0) {
            out.put("itm_loss", itmSum);
        }
        return out;
    }
}
