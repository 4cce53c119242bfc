package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ComposedModel;
import org.vlm4j.model.ImageGenerator;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.generative.diffusion.DiffusionConfig;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.BlockConfig;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.Transformer;
import org.vlm4j.text.Tokenizer;

/**
 * MiniGPT-5 (Zheng et al. 2023): MiniGPT-4's projection for reading images, plus {@code vokens} generative tokens
 * ({@code voken_embed}, learned input embeddings of the frozen LM) placed after a text; a small transformer
 * ({@code mapper.*}, {@code bridge_layers} layers) maps their LM hidden states to the conditioning input of an image
 * decoder.
 *
 * <p>With a {@code decoder} (a frozen text-to-image {@link DiffusionModel}, {@code vlm4j train --decoder DIR}), as in
 * the paper: learned queries ({@code mapper_queries}, one per position of the decoder's text conditioning plus one for
 * its pooled state) run through the mapper beside the vokens' states, and their outputs ({@code mapper_out}) are
 * trained to equal the conditioning the decoder's own text tower gives the caption: MSE over its real positions and
 * the pooled state ({@code voken_loss}, the paper's conditional feature loss) and which positions are real
 * ({@code mapper_valid}, binary cross-entropy, {@code voken_valid_loss}, so the decoder's padding mask can be
 * rebuilt). At generation the mapped vokens condition the decoder's sampler ({@link ImageGenerator}); the decoder is
 * kept whole in the model directory's {@code decoder/} ({@link ComposedModel}).
 *
 * <p>Without a decoder the mapper's mean output regresses to the frozen vision tower's pooled embedding of the
 * described image ({@code voken_loss}): a stand-in for a decoder's conditioning; no image can be drawn.
 */
public final class MiniGpt5 extends Bridge implements ImageGenerator, ComposedModel {
    public static final String FAMILY = "minigpt5";
    public static final String DECODER = "decoder";
    private final Linear proj;
    private final Param vokenEmbed;
    private final Linear mapperIn;
    private final Transformer mapper;
    private final Linear mapperOut;
    /** Decoder path only: the queries of the decoder's conditioning positions and pooled state, and their validity. */
    private final Param mapperQueries;
    private final Linear mapperValid;
    private DiffusionModel decoder;

    public MiniGpt5(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        if (config.vokens() <= 0 || config.bridgeLayers() <= 0) {
            throw new IllegalArgumentException("a minigpt5 bridge needs vokens > 0 and bridge_layers > 0");
        }
        int w = config.bridgeWidth();
        int lmw = config.lm().width();
        DiffusionConfig d = config.decoder();
        this.proj = child("proj", new Linear(init, config.vision().width(), lmw, true));
        this.vokenEmbed = param("voken_embed", init.normal(0.02, config.vokens(), lmw));
        this.mapperIn = child("mapper_in", new Linear(init, lmw, w, true));
        this.mapper = child("mapper", new Transformer(init, BlockConfig.encoder(w, config.bridgeHeads(), 4 * w,
                Activation.GELU, 1e-5f), config.bridgeLayers()));
        this.mapperOut = child("mapper_out", new Linear(init, w, d == null ? config.vision().width()
                : d.text().width(), true));
        this.mapperQueries = d == null ? null
                : param("mapper_queries", init.normal(0.02, d.text().contextLength() + 1, w));
        this.mapperValid = d == null ? null : child("mapper_valid", new Linear(init, w, 1, true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        return proj.forward(imageTokens);
    }

    /**
     * The LM's hidden states at the vokens placed right after each text, [N, vokens, lm width]: rows
     * {@code [sot] text [vokens] [pad...]}, so a text's vokens see the same context alone as in a batch of longer
     * texts (the LM is causal: the padding after them changes nothing).
     */
    private NDArray vokenStates(List<String> texts, NDManager m) {
        Tokenizer tok = requireTokenizer();
        int k = config.vokens();
        long[][] rows = tok.tokenize(texts, Math.max(2, config.lm().contextLength() - k));
        int n = rows.length;
        int[] start = new int[n]; // where each row's vokens go: its end-of-text position
        int longest = 1;
        for (int i = 0; i < n; i++) {
            start[i] = rows[i].length - 1;
            for (int j = 0; j < rows[i].length; j++) {
                if (rows[i][j] == tok.eotId()) {
                    start[i] = j;
                    break;
                }
            }
            longest = Math.max(longest, start[i]);
        }
        int t = longest + k;
        long[] ids = new long[n * t];
        float[] pick = new float[n * k * t]; // [N, k, T]: one-hot of voken v's position in row i
        float[] text = new float[n * t]; // [N, T]: 1 at the text positions
        Arrays.fill(ids, tok.padId());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < start[i]; j++) {
                ids[i * t + j] = rows[i][j];
                text[i * t + j] = 1;
            }
            for (int v = 0; v < k; v++) {
                pick[(i * k + v) * t + start[i] + v] = 1;
            }
        }
        NDArray onehot = m.create(pick, new Shape(n, k, t));
        NDArray x = lm.embedTokens(m.create(ids, new Shape(n, t))).mul(m.create(text, new Shape(n, t, 1)))
                .add(onehot.transpose(0, 2, 1).matMul(vokenEmbed.array())); // the voken embeddings in their places
        NDArray hidden = lm.hiddenFromEmbeddings(x, null, null, null);
        return onehot.matMul(hidden);
    }

    /** Without a decoder: texts -> the stand-in conditioning [N, vision width], the mapper's mean output. */
    NDArray conditioning(List<String> texts, NDManager m) {
        return mapperOut.forward(mapper.forward(mapperIn.forward(vokenStates(texts, m)), null).mean(new int[] {1}));
    }

    /**
     * With a decoder: texts -> the decoder's conditioning as the mapper predicts it: states [N, L, D], validity
     * logits [N, L], pooled state [N, D] (L, D: the decoder's text context length and width).
     */
    NDArray[] decoderConditioning(List<String> texts, NDManager m) {
        NDArray h = mapperIn.forward(vokenStates(texts, m));
        long n = h.getShape().get(0);
        long q = mapperQueries.array().getShape().get(0);
        NDArray queries = mapperQueries.array().expandDims(0).broadcast(n, q, config.bridgeWidth());
        NDArray y = mapper.forward(queries.concat(h, 1), null).get(":, 0:" + q + ", :");
        NDArray positions = y.get(":, 0:" + (q - 1) + ", :");
        NDArray states = mapperOut.forward(positions);
        NDArray valid = mapperValid.forward(positions).squeeze(2);
        NDArray pooled = mapperOut.forward(y.get(":, " + (q - 1) + ", :"));
        return new NDArray[] {states, valid, pooled};
    }

    @Override
    protected Map<String, NDArray> extraLosses(NDArray imageTokens, Batch batch) {
        NDManager m = imageTokens.getManager();
        if (config.decoder() == null) {
            NDArray target;
            try (NoGrad g = new NoGrad()) {
                target = visual.pool(imageTokens).stopGradient();
            }
            NDArray diff = conditioning(batch.captions(), m).sub(target);
            return Map.of("voken_loss", Scalars.div(diff.mul(diff).sum(), (float) diff.size()));
        }
        NDArray[] target;
        try (NoGrad g = new NoGrad()) {
            target = requireDecoder().conditioning(batch.captions(), m);
        }
        NDArray[] pred = decoderConditioning(batch.captions(), m);
        NDArray valid = target[1].stopGradient();
        NDArray ds = pred[0].sub(target[0].stopGradient());
        NDArray dp = pred[2].sub(target[2].stopGradient());
        float d = config.decoder().text().width();
        // mean squared error per value over the real positions and the pooled state
        NDArray sq = ds.mul(ds).sum(new int[] {2}).mul(valid).sum().add(dp.mul(dp).sum());
        NDArray count = valid.sum().add(batch.size()).mul(d);
        NDArray z = pred[1];
        // binary cross-entropy with logits, stable form: max(z, 0) - z y + log(1 + exp(-|z|))
        NDArray bce = z.maximum(0f).sub(z.mul(valid)).add(z.abs().neg().exp().add(1f).log()).mean();
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("voken_loss", sq.div(count));
        out.put("voken_valid_loss", bce);
        return out;
    }

    /** Without a decoder: the stand-in conditioning of each text, [texts.size()][vision width]. */
    public float[][] imageConditioning(List<String> texts) {
        if (config.decoder() != null) {
            throw new IllegalStateException("this minigpt5 model conditions its image decoder: see"
                    + " decoderConditioning(texts) / generateImages");
        }
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            float[] flat = conditioning(texts, m).toFloatArray();
            int d = config.vision().width();
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    /**
     * The decoder's conditioning the mapped vokens give each text: states, validity (a position is real where its
     * logit is positive; the first, the start token's, always is) and pooled state.
     */
    public DiffusionModel.Conditioning decoderConditioning(List<String> texts) {
        requireDecoder();
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            NDArray[] c = decoderConditioning(texts, m);
            float[] logits = c[1].toFloatArray();
            int l = config.decoder().text().contextLength();
            float[] valid = new float[logits.length];
            for (int i = 0; i < logits.length; i++) {
                valid[i] = logits[i] > 0 || i % l == 0 ? 1f : 0f;
            }
            return new DiffusionModel.Conditioning(texts.size(), c[0].toFloatArray(), valid, c[2].toFloatArray());
        }
    }

    // ------------------------------------------------------------------------------------------------ the decoder

    /** The frozen image decoder, or null (none attached). Its {@code setSampling} sets how images are drawn. */
    public DiffusionModel decoder() {
        return decoder;
    }

    private DiffusionModel requireDecoder() {
        if (config.decoder() == null) {
            throw new IllegalStateException("this minigpt5 model has no image decoder (train it with --decoder DIR, a"
                    + " diffusion model)");
        }
        if (decoder == null) {
            throw new IllegalStateException("this minigpt5 model's image decoder is not attached");
        }
        return decoder;
    }

    /** Images drawn by the decoder from the mapped vokens of each text, with the decoder's sampling settings. */
    @Override
    public float[][] generateImages(List<String> texts, GenerationConfig generation) {
        DiffusionModel d = requireDecoder();
        return d.sample(decoderConditioning(texts), d.sampling().withSeed(generation.seed()));
    }

    @Override
    public boolean canGenerateImages() {
        return decoder != null;
    }

    @Override
    public int imageSize() {
        return requireDecoder().imageSize();
    }

    @Override
    public Map<String, VlmModel> parts() {
        return decoder == null ? Map.of() : Map.of(DECODER, decoder);
    }

    @Override
    public List<String> requiredParts() {
        return config.decoder() == null ? List.of() : List.of(DECODER);
    }

    /** Attaches the frozen diffusion decoder this bridge's config names (same architecture); the bridge owns it. */
    @Override
    public void attachPart(String name, VlmModel part) {
        if (!DECODER.equals(name)) {
            throw new IllegalArgumentException("a minigpt5 model has no part '" + name + "'");
        }
        if (config.decoder() == null) {
            throw new IllegalArgumentException("this minigpt5 model was built without a decoder (config 'decoder')");
        }
        if (!(part instanceof DiffusionModel d)) {
            throw new IllegalArgumentException("the image decoder must be a " + DiffusionModel.FAMILY + " model, not a "
                    + part.family() + " one");
        }
        if (!ModelDir.JSON.valueToTree(d.config()).equals(ModelDir.JSON.valueToTree(config.decoder()))) {
            throw new IllegalArgumentException("the diffusion model's config differs from the bridge's 'decoder'");
        }
        if (decoder != null && decoder != d) {
            decoder.close();
        }
        d.module().setTrainable(false);
        this.decoder = d;
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
        }
        super.close();
    }
}
