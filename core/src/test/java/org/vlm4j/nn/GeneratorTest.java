package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Generation against full recomputation: every token the cached generator picks is what the decoder, run on the
 * whole sequence without a cache, ranks first (greedy) — with cross-attention to a context; beam search wide enough
 * to be exhaustive finds the brute-force best sequence; sampling is seeded and degenerates to greedy at top-k 1.
 */
class GeneratorTest {
    static DecoderConfig config(int vocab, boolean cross) {
        return new DecoderConfig(vocab, 12, 16, 2, 2, 32, Activation.GELU, 1e-5f, cross, 8, true);
    }

    /** Sum of log p(token) of seq[from..] given seq[..i], by one uncached forward pass of the whole sequence. */
    static double[][] fullLogProbs(TextDecoder d, NDManager m, long[] seq, NDArray ctx) {
        NDArray logits = d.logits(m.create(seq, new Shape(1, seq.length)), ctx, null);
        int v = (int) logits.getShape().get(2);
        float[] flat = logits.toFloatArray();
        double[][] out = new double[seq.length][];
        for (int i = 0; i < seq.length; i++) {
            out[i] = Generator.logSoftmax(Arrays.copyOfRange(flat, i * v, (i + 1) * v), 1f);
        }
        return out;
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void cachedGreedyEqualsFullRecomputationWithCrossAttention() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            TextDecoder d = new TextDecoder(new Init(m, 7), config(11, true));
            NDArray ctx = new Init(m, 8).normal(1.0, 2, 3, 8);
            long[][] prompts = {{1, 4}, {2, 9}};
            Generator.Output out = Generator.generate(d, ctx, null, prompts, GenerationConfig.greedy(6, Set.of()));
            for (int row = 0; row < 2; row++) {
                assertEquals(6, out.tokens()[row].length);
                long[] seq = concat(prompts[row], out.tokens()[row]);
                double[][] lp = fullLogProbs(d, m, seq, ctx.get(row + ":" + (row + 1)));
                double sum = 0;
                for (int i = prompts[row].length; i < seq.length; i++) {
                    assertEquals(Generator.argmax(lp[i - 1]), (int) seq[i], "row " + row + " position " + i);
                    sum += lp[i - 1][(int) seq[i]];
                }
                assertEquals(sum, out.logProbs()[row], 1e-4);
            }
            // rows are independent: generating row 1 alone gives the same tokens
            Generator.Output alone = Generator.generate(d, ctx.get("1:2"), null, new long[][] {prompts[1]},
                    GenerationConfig.greedy(6, Set.of()));
            assertArrayEquals(out.tokens()[1], alone.tokens()[0]);
        }
    }

    @Test
    void stopTokensEndARowAndAreKept() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextDecoder d = new TextDecoder(new Init(m, 3), config(9, false));
            long[] free = Generator.generate(d, null, null, new long[][] {{1}}, GenerationConfig.greedy(5, Set.of()))
                    .tokens()[0];
            int stop = (int) free[1];
            long[] stopped = Generator.generate(d, null, null, new long[][] {{1}},
                    GenerationConfig.greedy(5, Set.of(stop))).tokens()[0];
            int firstStop = free[0] == stop ? 0 : 1;
            assertArrayEquals(Arrays.copyOf(free, firstStop + 1), stopped);
        }
    }

    @Test
    void wideBeamSearchFindsTheBruteForceBest() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            int v = 5;
            TextDecoder d = new TextDecoder(new Init(m, 11), config(v, false));
            long[] prompt = {0};
            double best = Double.NEGATIVE_INFINITY;
            long[] bestSeq = null;
            for (int a = 0; a < v; a++) {
                for (int b = 0; b < v; b++) {
                    for (int c = 0; c < v; c++) {
                        long[] seq = {0, a, b, c};
                        double[][] lp = fullLogProbs(d, m, seq, null);
                        double s = lp[0][a] + lp[1][b] + lp[2][c];
                        if (s > best) {
                            best = s;
                            bestSeq = new long[] {a, b, c};
                        }
                    }
                }
            }
            GenerationConfig cfg = new GenerationConfig(3, v * v, false, 1f, 0, 1f, 0f, Set.of(), 0);
            Generator.Output out = Generator.generate(d, null, null, new long[][] {prompt, prompt}, cfg);
            for (int row = 0; row < 2; row++) {
                assertArrayEquals(bestSeq, out.tokens()[row]);
                assertEquals(best, out.logProbs()[row], 1e-4);
            }
            Generator.Output greedy = Generator.generate(d, null, null, new long[][] {prompt},
                    GenerationConfig.greedy(3, Set.of()));
            assertTrue(out.logProbs()[0] >= greedy.logProbs()[0] - 1e-9, "beam search never does worse here");
        }
    }

    /** Every sequence of at most {@code max} tokens that ends at the stop token or runs to {@code max}. */
    static void enumerate(long[] prefix, int v, int max, int stop, java.util.List<long[]> out) {
        if (prefix.length == max || (prefix.length > 0 && prefix[prefix.length - 1] == stop)) {
            out.add(prefix);
            return;
        }
        for (int t = 0; t < v; t++) {
            long[] next = Arrays.copyOf(prefix, prefix.length + 1);
            next[prefix.length] = t;
            enumerate(next, v, max, stop, out);
        }
    }

    @Test
    void wideBeamSearchWithStopTokenAndContextFindsTheBruteForceBest() {
        // The captioning case: cross-attention to a per-row context, and a stop token that may end a sequence
        // early. Brute force scores every sequence the generator could return (ending at the stop token, or at the
        // length limit); a beam as wide as the number of live prefixes with no length penalty must find the best.
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            int v = 4;
            int stop = 3;
            TextDecoder d = new TextDecoder(new Init(m, 21), config(v, true));
            NDArray ctx = new Init(m, 22).normal(1.0, 2, 3, 8);
            java.util.List<long[]> all = new java.util.ArrayList<>();
            enumerate(new long[0], v, 3, stop, all);
            GenerationConfig cfg = new GenerationConfig(3, v * v, false, 1f, 0, 1f, 0f, Set.of(stop), 0);
            Generator.Output out = Generator.generate(d, ctx, null, new long[][] {{0}, {0}}, cfg);
            boolean someStopEarly = false;
            for (int row = 0; row < 2; row++) {
                double best = Double.NEGATIVE_INFINITY;
                long[] bestSeq = null;
                for (long[] seq : all) {
                    double[][] lp = fullLogProbs(d, m, concat(new long[] {0}, seq), ctx.get(row + ":" + (row + 1)));
                    double s = 0;
                    for (int i = 0; i < seq.length; i++) {
                        s += lp[i][(int) seq[i]];
                    }
                    if (s > best) {
                        best = s;
                        bestSeq = seq;
                    }
                }
                someStopEarly |= bestSeq.length < 3;
                assertArrayEquals(bestSeq, out.tokens()[row], "row " + row);
                assertEquals(best, out.logProbs()[row], 1e-4);
            }
            System.out.println("beam = brute force over " + all.size() + " sequences; a best one stops early: "
                    + someStopEarly);
        }
    }

    @Test
    void samplingIsSeededAndTopKOneIsGreedy() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextDecoder d = new TextDecoder(new Init(m, 5), config(13, false));
            long[][] p = {{1}, {2}, {3}};
            long[][] a = Generator.generate(d, null, null, p, GenerationConfig.sampling(8, 1.5f, 0, 1f, Set.of(), 42))
                    .tokens();
            long[][] b = Generator.generate(d, null, null, p, GenerationConfig.sampling(8, 1.5f, 0, 1f, Set.of(), 42))
                    .tokens();
            assertTrue(Arrays.deepEquals(a, b), "same seed, same samples");
            long[][] c = Generator.generate(d, null, null, p, GenerationConfig.sampling(8, 1.5f, 0, 1f, Set.of(), 43))
                    .tokens();
            assertTrue(!Arrays.deepEquals(a, c), "another seed, other samples (24 draws over 13 tokens at T=1.5)");
            long[][] greedy = Generator.generate(d, null, null, p, GenerationConfig.greedy(8, Set.of())).tokens();
            long[][] k1 = Generator.generate(d, null, null, p, GenerationConfig.sampling(8, 1f, 1, 1f, Set.of(), 9))
                    .tokens();
            long[][] p0 = Generator.generate(d, null, null, p, GenerationConfig.sampling(8, 1f, 0, 1e-6f, Set.of(), 9))
                    .tokens();
            assertTrue(Arrays.deepEquals(greedy, k1), "top-k 1 is greedy");
            assertTrue(Arrays.deepEquals(greedy, p0), "a tiny top-p is greedy");
        }
    }

    @Test
    void badInputIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextDecoder d = new TextDecoder(new Init(m, 5), config(13, false));
            assertThrows(IllegalArgumentException.class, () -> Generator.generate(d, null, null,
                    new long[][] {{1}, {1, 2}}, GenerationConfig.greedy(3, Set.of())));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(d, null,
                    null, new long[][] {new long[13]}, GenerationConfig.greedy(3, Set.of())));
            assertTrue(e.getMessage().contains("12") && e.getMessage().contains("13"), e.getMessage());
        }
    }
}
