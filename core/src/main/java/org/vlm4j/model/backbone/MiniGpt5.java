package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
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
 * decoder. The training target of that conditioning is the frozen vision tower's pooled embedding of the described
 * image (MSE, reported as {@code voken_loss}): a stand-in for the diffusion decoder's conditioning the paper regresses
 * to. The image decoder itself is not part of this model: {@link #imageConditioning} is where one plugs in.
 */
public final class MiniGpt5 extends Bridge {
    public static final String FAMILY = "minigpt5";
    private final Linear proj;
    private final Param vokenEmbed;
    private final Linear mapperIn;
    private final Transformer mapper;
    private final Linear mapperOut;

    public MiniGpt5(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        if (config.vokens() <= 0 || config.bridgeLayers() <= 0) {
            throw new IllegalArgumentException("a minigpt5 bridge needs vokens > 0 and bridge_layers > 0");
        }
        int w = config.bridgeWidth();
        int lmw = config.lm().width();
        this.proj = child("proj", new Linear(init, config.vision().width(), lmw, true));
        this.vokenEmbed = param("voken_embed", init.normal(0.02, config.vokens(), lmw));
        this.mapperIn = child("mapper_in", new Linear(init, lmw, w, true));
        this.mapper = child("mapper", new Transformer(init, BlockConfig.encoder(w, config.bridgeHeads(), 4 * w,
                Activation.GELU, 1e-5f), config.bridgeLayers()));
        this.mapperOut = child("mapper_out", new Linear(init, w, config.vision().width(), true));
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        return proj.forward(imageTokens);
    }

    /** texts -> the image decoder's conditioning [N, vision width]: [sot] text [vokens] through the LM and mapper. */
    NDArray conditioning(List<String> texts, NDManager m) {
        Tokenizer tok = requireTokenizer();
        int k = config.vokens();
        int len = Math.max(2, config.lm().contextLength() - k);
        long[][] rows = tok.tokenize(texts, len);
        int longest = 1;
        for (long[] r : rows) {
            for (int j = 0; j < r.length; j++) {
                if (r[j] == tok.eotId()) {
                    longest = Math.max(longest, j); // [sot] text, without the end-of-text token
                    break;
                }
            }
        }
        long[] flat = new long[rows.length * longest];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < longest; j++) {
                flat[i * longest + j] = rows[i][j] == tok.eotId() ? tok.padId() : rows[i][j];
            }
        }
        long n = rows.length;
        NDArray text = lm.embedTokens(m.create(flat, new Shape(n, longest)));
        NDArray vokens = vokenEmbed.array().expandDims(0).broadcast(n, k, config.lm().width());
        NDArray hidden = lm.hiddenFromEmbeddings(text.concat(vokens, 1), null, null, null);
        NDArray h = hidden.get(":, " + longest + ":, :");
        return mapperOut.forward(mapper.forward(mapperIn.forward(h), null).mean(new int[] {1}));
    }

    @Override
    protected Map<String, NDArray> extraLosses(NDArray imageTokens, Batch batch) {
        NDArray target;
        try (NoGrad g = new NoGrad()) {
            target = visual.pool(imageTokens).stopGradient();
        }
        NDArray diff = conditioning(batch.captions(), imageTokens.getManager()).sub(target);
        return Map.of("voken_loss", Scalars.div(diff.mul(diff).sum(), (float) diff.size()));
    }

    /** The image-decoder conditioning of each text, [texts.size()][vision width]. */
    public float[][] imageConditioning(List<String> texts) {
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
}
