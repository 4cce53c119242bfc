package org.vlm4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.model.lm.LmPresets;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.TextDecoder;

/**
 * Language-model generation tokens/s with the KV-cache ({@link Generator}) against recomputing the whole sequence for
 * every new token, greedy, 8 prompt + 56 new tokens (lm-tiny's 64 positions), batch 1 and 8, for lm-tiny (GPT-2
 * shape) and a Llama-shaped decoder of the same width and depth (RoPE, RMSNorm, SwiGLU 344, 4 heads over 2 key/value
 * heads, untied head). Random weights (speed does not depend on them; no stop token, so every row runs to the end).
 * The two methods are interleaved for {@code rounds} rounds and medians reported; both must give the same tokens.
 * Run: {@code VLM4J_THREADS=2 mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.vlm4j.bench.LmGenerationBench -Dexec.arguments=5}
 */
public final class LmGenerationBench {
    private LmGenerationBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println(Vlm4jEngine.init().summary());
        int vocab = 1000;
        DecoderConfig gpt2 = LmPresets.get("lm-tiny", vocab).decoder();
        DecoderConfig llama = new DecoderConfig(vocab, 64, 128, 3, 4, 344, Activation.SWIGLU, 1e-6f, false, 0, false,
                2, "rms", "rope", 10000f, false, false);
        for (Map.Entry<String, DecoderConfig> e : Map.of("lm-tiny (GPT-2 shape)", gpt2, "llama-shaped", llama)
                .entrySet()) {
            try (LanguageModel lm = new LanguageModel(new LmConfig(e.getValue()), null, 1)) {
                for (int batch : new int[] {1, 8}) {
                    System.out.println(e.getKey() + " " + run(lm.decoder(), batch, 8, 56, rounds));
                }
            }
        }
    }

    static Map<String, Object> run(TextDecoder d, int batch, int promptLen, int newTokens, int rounds) {
        long[][] prompts = new long[batch][promptLen];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < promptLen; t++) {
                prompts[i][t] = (i * 31 + t * 7) % 1000;
            }
        }
        GenerationConfig g = GenerationConfig.greedy(newTokens, Set.of());
        double[] cached = new double[rounds];
        double[] full = new double[rounds];
        long[][] a = null;
        long[][] b = null;
        for (int r = -1; r < rounds; r++) { // round -1 warms up
            long t0 = System.nanoTime();
            try (NDScope s = new NDScope()) {
                a = Generator.generate(d, null, null, prompts, g).tokens();
            }
            long t1 = System.nanoTime();
            b = recompute(d, prompts, newTokens);
            long t2 = System.nanoTime();
            if (r >= 0) {
                cached[r] = (t1 - t0) / 1e9;
                full[r] = (t2 - t1) / 1e9;
            }
        }
        boolean same = true;
        for (int i = 0; i < batch; i++) {
            same &= Arrays.equals(a[i], b[i]);
        }
        double tokens = (double) batch * newTokens;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("batch", batch);
        out.put("new_tokens", newTokens);
        out.put("cached_tokens_per_second", Math.round(tokens / median(cached)));
        out.put("recompute_tokens_per_second", Math.round(tokens / median(full)));
        out.put("speedup", Math.round(median(full) / median(cached) * 100) / 100.0);
        out.put("same_tokens", same);
        return out;
    }

    /** Greedy without a cache: the whole sequence through the decoder for every new token. */
    static long[][] recompute(TextDecoder d, long[][] prompts, int newTokens) {
        int n = prompts.length;
        long[][] seq = new long[n][];
        for (int i = 0; i < n; i++) {
            seq[i] = prompts[i].clone();
        }
        NDManager parent = d.namedParams().values().iterator().next().array().getManager();
        for (int t = 0; t < newTokens; t++) {
            int l = seq[0].length;
            long[] flat = new long[n * l];
            for (int i = 0; i < n; i++) {
                System.arraycopy(seq[i], 0, flat, i * l, l);
            }
            try (NDScope s = new NDScope(); NoGrad g = new NoGrad(); NDManager m = parent.newSubManager()) {
                NDArray logits = d.logits(m.create(flat, new Shape(n, l)), null, null);
                long[] next = logits.get(":, " + (l - 1) + ", :").argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    seq[i] = Arrays.copyOf(seq[i], l + 1);
                    seq[i][l] = next[i];
                }
            }
        }
        long[][] out = new long[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(seq[i], prompts[i].length, seq[i].length);
        }
        return out;
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
