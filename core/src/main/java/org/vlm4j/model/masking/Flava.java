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
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.loss.InfoNce;
import org.vlm4j.loss.LogitScale;
import org.vlm4j.loss.MaskedPatches;
import org.vlm4j.loss.MaskedTokens;
import org.vlm4j.loss.Matching;
import org.vlm4j.loss.Positives;
import org.vlm4j.model.ImageTokenizer;
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
 * FLAVA:
 * <pre>
 *  pixels -> image encoder (ViT, [CLS_I]) --+-> [CLS_I] -> image_proj -> contrastive embedding
 *                                           +-> mim_head (masked patches: pixels or codes)
 *  ids    -> text encoder ([CLS_T]) --------+-> [CLS_T] -> text_proj -> contrastive embedding
 *                                           +-> mlm_head (masked words)
 *  [CLS_M] + mm_image_proj(image states) + mm_text_proj(text states) -> multimodal Transformer
 *      [CLS_M] -> itm_head;  text part -> mmm_text_head;  image part -> mmm_image_head
 * </pre>
 * A step computes, each weighted and logged on its own: {@code mim_loss} (masked image through the image encoder),
 * {@code mlm_loss} (masked text through the text encoder), {@code mmm_image_loss} and {@code mmm_text_loss} (both
 * masked, through the multimodal encoder), {@code itm_loss} (unmasked pairs; each image's negative text and each
 * text's negative image drawn by softmax of the contrastive similarities, ALBEF-style, plus dataset hard negatives)
 * and {@code contrastive_loss} (InfoNCE, identical captions as positives, logit scale clamped). With several
 * micro-batches each is a mean over them, and InfoNCE's negatives are those of its own micro-batch.
 *
 * <p>The ITM sampling softmax runs over the plain cosine similarities (temperature 1), not over the logits at the
 * learned contrastive scale as ALBEF: measured on the test-size Shapes run (300 steps), at the learned scale the
 * sampled negatives were almost all the hardest kind (the same first shape, another relation), ITM stayed at its base
 * rate (loss 0.58 -> 0.56) and ranked the true caption above the colour-swapped one in 61%; at temperature 1, harder
 * negatives still come up to e^2 times as often, the loss fell 0.58 -> 0.43 and the ranking reached 100%.
 */
public class Flava extends DualEncoderModel {
    public static final String FAMILY = "flava";

    private final FlavaConfig config;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final Param imageMaskToken;
    private final Linear imageProj;
    private final Linear textProj;
    private final Param logitScale;
    private final MlmHead mimHead;
    private final MlmHead mlmHead;
    private final Linear mmImageProj;
    private final Linear mmTextProj;
    private final Param mmCls;
    private final Transformer mm;
    private final LayerNorm mmLn;
    private final Linear itmHead;
    private final MlmHead mmmTextHead;
    private final MlmHead mmmImageHead;
    private ImageTokenizer imageTokenizer;

    public Flava(FlavaConfig config, Tokenizer tokenizer, long seed) {
        super(tokenizer, config.text().vocabSize() - 2, config.preprocess());
        this.config = config;
        Init init = new Init(manager, seed);
        int dv = config.vision().width();
        int dt = config.text().width();
        int dm = config.mmWidth();
        int patch = config.vision().patchSize();
        int mimOut = config.codebookSize() > 0 ? config.codebookSize() : 3 * patch * patch;
        this.visual = child("visual", new VisionTransformer(init, config.vision()));
        this.text = child("text", new TextTransformer(init, config.text()));
        this.imageMaskToken = param("image_mask_token", init.normal(0.02, dv));
        this.imageProj = child("image_proj", new Linear(init, dv, config.embedDim(), false));
        this.textProj = child("text_proj", new Linear(init, dt, config.embedDim(), false));
        this.logitScale = param("logit_scale", manager.create(config.logitScaleInit()));
        this.mimHead = child("mim_head", new MlmHead(init, dv, mimOut, config.activation(), config.vision().lnEps()));
        this.mlmHead = child("mlm_head", new MlmHead(init, dt, vocab.size(), config.activation(),
                config.text().lnEps()));
        this.mmImageProj = child("mm_image_proj", new Linear(init, dv, dm, true));
        this.mmTextProj = child("mm_text_proj", new Linear(init, dt, dm, true));
        this.mmCls = param("mm_cls", init.normal(0.02, dm));
        this.mm = child("mm", new Transformer(init, config.mmBlock(), config.mmLayers()));
        this.mmLn = child("mm_ln", new LayerNorm(init, dm, config.vision().lnEps()));
        this.itmHead = child("itm_head", new Linear(init, dm, 2, true));
        this.mmmTextHead = child("mmm_text_head", new MlmHead(init, dm, vocab.size(), config.activation(),
                config.vision().lnEps()));
        this.mmmImageHead = child("mmm_image_head", new MlmHead(init, dm, mimOut, config.activation(),
                config.vision().lnEps()));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public FlavaConfig config() {
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

    /**
     * The image tokenizer whose codes are the MIM targets (needed to train with {@code codebook_size > 0}; not saved
     * with the model). Its codebook must have {@code codebook_size} codes and its grid must be the ViT's.
     */
    public void setImageTokenizer(ImageTokenizer tokenizer) {
        int g = config.vision().grid();
        if (tokenizer.codebookSize() != config.codebookSize()) {
            throw new IllegalArgumentException("the image tokenizer has " + tokenizer.codebookSize() + " codes but the"
                    + " model's codebook_size is " + config.codebookSize());
        }
        if (tokenizer.gridHeight() != g || tokenizer.gridWidth() != g) {
            throw new IllegalArgumentException("the image tokenizer's grid is " + tokenizer.gridHeight() + "x"
                    + tokenizer.gridWidth() + " but the ViT's is " + g + "x" + g);
        }
        this.imageTokenizer = tokenizer;
    }

    // ------------------------------------------------------------------------------------------------ forward parts

    /** pixels -> image encoder states [N, 1 + T, Dv] ([CLS_I] first); masked patches (mask [N, T] or null). */
    public NDArray imageStates(NDArray pixels, NDArray patchMask) {
        return visual.tokens(pixels, patchMask, imageMaskToken.array());
    }

    /** ids -> text encoder states [N, L, Dt] ([CLS_T] first), padding hidden. */
    public NDArray textStates(NDArray ids) {
        return text.tokens(ids, textValid(ids));
    }

    public NDArray imageEmbedding(NDArray imageStates) {
        return Clip.normalize(imageProj.forward(imageStates.get(":, 0, :")));
    }

    public NDArray textEmbedding(NDArray textStates) {
        return Clip.normalize(textProj.forward(textStates.get(":, 0, :")));
    }

    /** Both encoders' states -> multimodal states [N, 1 + (1 + T) + L, Dm]: [CLS_M], image part, text part. */
    public NDArray multimodal(NDArray imageStates, NDArray textStates, NDArray ids) {
        long n = ids.getShape().get(0);
        long ti = imageStates.getShape().get(1);
        NDArray cls = mmCls.array().broadcast(n, 1, config.mmWidth());
        NDArray x = cls.concat(mmImageProj.forward(imageStates), 1).concat(mmTextProj.forward(textStates), 1);
        NDArray valid = ids.getManager().ones(new Shape(n, 1 + ti)).concat(textValid(ids), 1);
        return mmLn.forward(mm.forward(x, Masks.keyPadding(valid)));
    }

    @Override
    protected NDArray matchLogits(NDArray pixels, NDArray ids) {
        return itmHead.forward(multimodal(imageStates(pixels, null), textStates(ids), ids).get(":, 0, :"));
    }

    @Override
    protected NDArray maskedLogits(NDArray pixels, NDArray ids) {
        NDArray h = multimodal(imageStates(pixels, null), textStates(ids), ids);
        long start = 2 + config.vision().grid() * (long) config.vision().grid();
        return mmmTextHead.forward(h.get(":, " + start + ":, :"));
    }

    // ------------------------------------------------------------------------------------------------ training

    /** MIM loss of predictions [N, T, out] at the masked patches: codes of the image tokenizer, or pixels. */
    private NDArray mimLoss(NDArray predicted, NDArray pixels, boolean[][] mask, NDArray maskArray, int[][] codes) {
        if (config.codebookSize() > 0) {
            return MaskedPatches.codeLoss(predicted, codes, mask);
        }
        NDArray targets = MaskedPatches.pixelTargets(MaskedPatches.patchify(pixels, config.vision().patchSize()));
        return MaskedPatches.pixelLoss(predicted, targets, maskArray);
    }

    /** The image tokenizer's codes of a batch, its pixels renormalised from this model's preprocessing to its own. */
    private int[][] codes(Batch b) {
        if (imageTokenizer == null) {
            throw new IllegalStateException("codebook_size " + config.codebookSize() + ": training needs the image"
                    + " tokenizer whose codes are the MIM targets (setImageTokenizer / --image-tokenizer)");
        }
        PreprocessConfig mine = config.preprocess();
        PreprocessConfig theirs = imageTokenizer.preprocessor().config();
        if (theirs.size() != b.height()) {
            throw new IllegalArgumentException("the image tokenizer reads " + theirs.size() + " px images, the batch has "
                    + b.height());
        }
        float[] px = b.pixels().clone();
        int plane = b.height() * b.width();
        for (int i = 0; i < px.length; i++) {
            int c = i / plane % 3;
            float raw = px[i] * mine.std()[c] + mine.mean()[c];
            px[i] = (raw - theirs.mean()[c]) / theirs.std()[c];
        }
        return imageTokenizer.tokenize(px, b.size(), b.height(), b.width());
    }

    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        SplittableRandom rng = stepRandom(micro, 0x5EED_0002L);
        FlavaConfig c = config;
        float k = 1f / micro.size();
        Map<String, Float> out = new LinkedHashMap<>();
        for (Batch b : micro) {
            NDArray px = pixels(b, m);
            long[][] rows = rows(b.captions());
            NDArray ids = ids(rows, m);
            int n = b.size();
            int tokens = config.vision().grid() * config.vision().grid();
            boolean needsPlain = c.contrastiveWeight() > 0 || c.itmWeight() > 0;
            NDArray img = needsPlain ? imageStates(px, null) : null;
            NDArray txt = needsPlain ? textStates(ids) : null;
            NDArray loss = null;
            float[][] sims = null;
            if (needsPlain) {
                NDArray ie = imageEmbedding(img);
                NDArray te = textEmbedding(txt);
                boolean[][] positives = Positives.sameText(b.captions(), b.captions());
                sims = similarities(ie, te, 1f);
                if (c.contrastiveWeight() > 0) {
                    loss = addTerm(out, "contrastive_loss", loss, InfoNce.loss(ie, te, null, logitScale.array(), positives),
                            c.contrastiveWeight() * k);
                }
            }
            if (c.itmWeight() > 0) {
                MatchRows mr = matchRows(b.captions(), hardNegatives(b), sims, rng);
                NDArray mids = ids(rows(mr.texts()), m);
                NDArray h = multimodal(select(img, mr.images()), textStates(mids), mids);
                loss = addTerm(out, "itm_loss", loss, Matching.loss(itmHead.forward(h.get(":, 0, :")), mr.labels()),
                        c.itmWeight() * k);
            }
            boolean imageMasking = c.mimWeight() > 0 || c.mmmWeight() > 0;
            boolean textMasking = c.mlmWeight() > 0 || c.mmmWeight() > 0;
            boolean[][] patchMask = imageMasking ? MaskedPatches.randomMask(n, tokens, c.imageMaskRatio(), rng) : null;
            NDArray patchMaskArray = imageMasking ? MaskedPatches.asArray(patchMask, m) : null;
            int[][] codes = imageMasking && c.codebookSize() > 0 ? codes(b) : null;
            NDArray maskedImg = imageMasking ? imageStates(px, patchMaskArray) : null;
            MaskedTokens.Masked maskedText = textMasking ? maskText(rows, c.maskProb(), rng) : null;
            NDArray maskedIds = textMasking ? ids(maskedText.inputs(), m) : null;
            NDArray maskedTxt = textMasking ? textStates(maskedIds) : null;
            NDArray targets = textMasking ? targets(maskedText, m) : null;
            if (c.mimWeight() > 0) {
                NDArray pred = mimHead.forward(maskedImg.get(":, 1:, :"));
                loss = addTerm(out, "mim_loss", loss, mimLoss(pred, px, patchMask, patchMaskArray, codes),
                        c.mimWeight() * k);
            }
            if (c.mlmWeight() > 0) {
                loss = addTerm(out, "mlm_loss", loss, MaskedTokens.loss(mlmHead.forward(maskedTxt), targets),
                        c.mlmWeight() * k);
            }
            if (c.mmmWeight() > 0) {
                NDArray h = multimodal(maskedImg, maskedTxt, maskedIds);
                long start = 2 + tokens;
                NDArray imagePart = mmmImageHead.forward(h.get(":, 2:" + start + ", :"));
                NDArray textPart = mmmTextHead.forward(h.get(":, " + start + ":, :"));
                loss = addTerm(out, "mmm_image_loss", loss, mimLoss(imagePart, px, patchMask, patchMaskArray, codes),
                        c.mmmWeight() * k);
                loss = addTerm(out, "mmm_text_loss", loss, MaskedTokens.loss(textPart, targets), c.mmmWeight() * k);
            }
            gc.backward(loss);
        }
        return out;
    }

    @Override
    public void afterUpdate() {
        LogitScale.clamp(logitScale);
    }

    @Override
    protected NDArray imageEmbeddingOf(NDArray pixels) {
        return imageEmbedding(imageStates(pixels, null));
    }

    @Override
    protected NDArray textEmbeddingOf(NDArray ids) {
        return textEmbedding(textStates(ids));
    }

    @Override
    protected Param logitScale() {
        return logitScale;
    }
}
