package org.vlm4j.model.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.loss.NextToken;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * A causal language model: the shared {@link TextDecoder} (parameters {@code decoder.*}) and its tokenizer, trained on
 * text alone with next-token cross-entropy and generating through {@link Generator} with a KV-cache. Bridges
 * (model/backbone) splice image prefixes into its input through {@link TextDecoder#embedTokens} and
 * {@link TextDecoder#logitsFromEmbeddings}.
 *
 * <p>A training text is {@code [sot] + encode(text) + [eot]}, cut to {@code context_length + 1} ids (a cut text has
 * no end token); positions after the end carry no loss, whatever the tokenizer's padding id is.
 */
public final class LanguageModel extends Module implements Pretrainable, VlmModel {
    public static final String FAMILY = "lm";
    /** Marks target positions without loss (after a text's end). */
    private static final long IGNORE = -1;

    private final LmConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final TextDecoder decoder;

    public LanguageModel(LmConfig config, Tokenizer tokenizer, long seed) {
        this.config = config;
        this.tokenizer = tokenizer;
        if (tokenizer != null && tokenizer.vocabSize() > config.decoder().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model's"
                    + " decoder.vocab_size is " + config.decoder().vocabSize());
        }
        Vlm4jEngine.init(); // the shim and malloc tuning must precede libtorch's loading
        this.manager = NDManager.newBaseManager();
        this.decoder = child("decoder", new TextDecoder(new Init(manager, seed), config.decoder()));
    }

    public static LanguageModel create(LmConfig config, Tokenizer tokenizer, long seed) {
        return new LanguageModel(config, tokenizer, seed);
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public LmConfig config() {
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

    public TextDecoder decoder() {
        return decoder;
    }

    /** The manager the parameters live in. */
    public NDManager manager() {
        return manager;
    }

    /** Text only: the trainer's loader reads no images for this model. */
    @Override
    public ImagePreprocessor preprocessor() {
        return null;
    }

    @Override
    public void close() {
        manager.close();
    }

    private Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("this language model has no tokenizer; use the token-id methods");
        }
        return tokenizer;
    }

    /** {@code [sot] + encode(text)} (what a prompt or the start of a training text is). */
    public long[] promptIds(String text) {
        Tokenizer tok = requireTokenizer();
        int[] ids = tok.encode(text);
        long[] out = new long[ids.length + 1];
        out[0] = tok.sotId();
        for (int i = 0; i < ids.length; i++) {
            out[i + 1] = ids[i];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ training

    /**
     * Inputs and targets of one micro-batch, [N, L] each, L the longest text's length (at most the context): inputs
     * {@code ids[0..L-1]}, targets {@code ids[1..L]} with {@link #IGNORE} after each text's end.
     */
    private NDArray[] inputsAndTargets(List<String> texts, NDManager m) {
        int maxLen = config.decoder().contextLength() + 1;
        long[][] rows = new long[texts.size()][];
        int len = 2;
        for (int i = 0; i < rows.length; i++) {
            long[] p = promptIds(texts.get(i));
            long[] row = Arrays.copyOf(p, Math.min(p.length + 1, maxLen));
            if (p.length < maxLen) {
                row[p.length] = tokenizer.eotId();
            }
            rows[i] = row;
            len = Math.max(len, row.length);
        }
        int l = len - 1;
        long[] in = new long[rows.length * l];
        long[] tg = new long[rows.length * l];
        Arrays.fill(tg, IGNORE);
        for (int i = 0; i < rows.length; i++) {
            for (int t = 0; t < l; t++) {
                in[i * l + t] = t < rows[i].length ? rows[i][t] : tokenizer.padId();
                if (t + 1 < rows[i].length) {
                    tg[i * l + t] = rows[i][t + 1];
                }
            }
        }
        Shape s = new Shape(rows.length, l);
        return new NDArray[] {m.create(in, s), m.create(tg, s)};
    }

    /** Mean next-token cross-entropy of the texts (teacher forcing), with gradient when recording. */
    public NDArray loss(List<String> texts, NDManager m) {
        NDArray[] it = inputsAndTargets(texts, m);
        return NextToken.loss(decoder.logits(it[0], null, null), it[1], IGNORE);
    }

    /** One step: next-token CE over each micro-batch's texts (captions), the mean over micro-batches minimised. */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        float total = 0;
        for (Batch b : micro) {
            NDArray loss = Scalars.div(loss(b.captions(), m), micro.size());
            total += loss.getFloat();
            gc.backward(loss);
        }
        return Map.of("lm_loss", total);
    }

    // ------------------------------------------------------------------------------------------------ inference

    /** Next-token logits [L][V] of one sequence of ids (no cache, no gradient). */
    public float[][] logits(long[] ids) {
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
            NDArray out = decoder.logits(m.create(ids, new Shape(1, ids.length)), null, null);
            int v = (int) out.getShape().get(2);
            float[] flat = out.toFloatArray();
            float[][] rows = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
            }
            return rows;
        }
    }

    /**
     * New token ids after a prompt of ids (at least one), through the KV-cache; the end-of-text id (added to the
     * config's stop tokens when there is a tokenizer) ends it and is kept as the last id.
     */
    public Generator.Output generateIds(long[][] prompts, GenerationConfig generation) {
        for (long[] p : prompts) {
            if (p.length >= config.decoder().contextLength()) {
                throw new IllegalArgumentException("a prompt of " + p.length + " tokens leaves no room in a context of "
                        + config.decoder().contextLength());
            }
        }
        GenerationConfig g = generation;
        if (tokenizer != null && !generation.stopTokens().contains(tokenizer.eotId())) {
            Set<Integer> stops = new HashSet<>(generation.stopTokens());
            stops.add(tokenizer.eotId());
            g = new GenerationConfig(generation.maxNewTokens(), generation.beamSize(), generation.sample(),
                    generation.temperature(), generation.topK(), generation.topP(), generation.lengthPenalty(), stops,
                    generation.seed());
        }
        try (NDScope scope = new NDScope()) {
            return Generator.generate(decoder, null, null, prompts, g);
        }
    }

    /** A prompt's continuation: its text (without the end token), the new ids, and whether it stopped by itself. */
    public record Completion(String text, long[] tokens, int promptTokens, boolean stopped) {}

    public Completion complete(String prompt, GenerationConfig generation) {
        Tokenizer tok = requireTokenizer();
        long[] ids = promptIds(prompt);
        long[] out = generateIds(new long[][] {ids}, generation).tokens()[0];
        boolean stopped = out.length > 0 && out[out.length - 1] == tok.eotId();
        int[] text = new int[stopped ? out.length - 1 : out.length];
        for (int i = 0; i < text.length; i++) {
            text[i] = (int) out[i];
        }
        return new Completion(tok.decode(text).strip(), out, ids.length, stopped);
    }
}
