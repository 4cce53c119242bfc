package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive generation from a {@link TextDecoder} with a {@link KvCache} (each step feeds only the new token):
 * greedy, top-k / top-p sampling with temperature, and beam search, batched over rows that share a prompt length.
 * The token choice runs in Java on the last position's logits; everything else is one decoder call per step.
 */
public final class Generator {
    private Generator() {}

    /**
     * @param tokens   per row, the generated tokens (without the prompt; a stop token, if reached, is the last)
     * @param logProbs per row, the sum of the chosen tokens' log-probabilities (under the untempered model)
     */
    public record Output(long[][] tokens, double[] logProbs) {}

    /**
     * @param context     [N, Lc, Dc] for a cross-attending decoder, else null
     * @param contextMask additive mask for the context ([N, 1, 1, Lc]) or null
     * @param prompts     N prompts of one length (at least one token each, e.g. the start token)
     */
    public static Output generate(TextDecoder decoder, NDArray context, NDArray contextMask, long[][] prompts,
                                  GenerationConfig cfg) {
        if (prompts.length == 0 || prompts[0].length == 0) {
            throw new IllegalArgumentException("generation needs at least one prompt of at least one token");
        }
        if (context != null && context.getShape().get(0) != prompts.length) {
            throw new IllegalArgumentException(prompts.length + " prompts but a context of " + context.getShape());
        }
        return generate(decoder, context, contextMask, null, prompts, cfg);
    }

    /**
     * With a soft prompt: {@code prefix} [N, P, D] input embeddings (a bridge's projected image tokens, possibly after
     * embedded tokens) are placed before each row's prompt tokens, at positions 0..P-1 (see
     * {@link TextDecoder#logitsFromEmbeddings}); the prompts may then be empty.
     */
    public static Output generate(TextDecoder decoder, NDArray prefix, long[][] prompts, GenerationConfig cfg) {
        if (prefix != null && (prefix.getShape().dimension() != 3 || prefix.getShape().get(0) != prompts.length)) {
            throw new IllegalArgumentException(prompts.length + " prompts but a prefix of " + prefix.getShape());
        }
        return generate(decoder, null, null, prefix, prompts, cfg);
    }

    private static Output generate(TextDecoder decoder, NDArray context, NDArray contextMask, NDArray prefix,
                                   long[][] prompts, GenerationConfig cfg) {
        if (prompts.length == 0 || (prompts[0].length == 0 && prefix == null)) {
            throw new IllegalArgumentException("generation needs at least one prompt of at least one token");
        }
        for (long[] p : prompts) {
            if (p.length != prompts[0].length) {
                throw new IllegalArgumentException("prompts in one batch must have one length (got " + p.length
                        + " and " + prompts[0].length + "); generate them in separate calls");
            }
        }
        NDManager parent = decoder.namedParams().values().iterator().next().array().getManager();
        try (NDManager m = parent.newSubManager(); NoGrad g = new NoGrad()) {
            return cfg.beamSize() > 1 ? beam(decoder, context, contextMask, prefix, prompts, cfg, m)
                    : single(decoder, context, contextMask, prefix, prompts, cfg, m);
        }
    }

    /** The prompt's logits, filling the cache: tokens alone, or after the prefix embeddings. */
    private static NDArray prefill(TextDecoder decoder, NDArray prefix, long[][] prompts, NDArray context,
                                   NDArray contextMask, KvCache cache, NDManager m) {
        if (prefix == null) {
            return decoder.logits(ids(m, prompts), context, contextMask, cache);
        }
        NDArray x = prompts[0].length == 0 ? prefix : prefix.concat(decoder.embedTokens(ids(m, prompts)), 1);
        return decoder.logitsFromEmbeddings(x, context, contextMask, cache);
    }

    private static NDArray ids(NDManager m, long[][] rows) {
        int n = rows.length;
        int l = rows[0].length;
        long[] flat = new long[n * l];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, flat, i * l, l);
        }
        return m.create(flat, new Shape(n, l));
    }

    /** Last position's logits [N][V]. */
    private static float[][] last(NDArray logits) {
        long n = logits.getShape().get(0);
        long l = logits.getShape().get(1);
        int v = (int) logits.getShape().get(2);
        float[] flat = logits.get(":, " + (l - 1) + ", :").toFloatArray();
        float[][] out = new float[(int) n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
        }
        return out;
    }

    static double[] logSoftmax(float[] x, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v / temperature);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v / temperature - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / temperature - lse;
        }
        return out;
    }

    private static Output single(TextDecoder decoder, NDArray context, NDArray contextMask, NDArray prefix,
                                 long[][] prompts, GenerationConfig cfg, NDManager m) {
        int n = prompts.length;
        KvCache cache = new KvCache(decoder.config().layers());
        float[][] logits = last(prefill(decoder, prefix, prompts, context, contextMask, cache, m));
        List<List<Long>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        double[] logProb = new double[n];
        boolean[] done = new boolean[n];
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        for (int t = 0; t < cfg.maxNewTokens(); t++) {
            long[][] next = new long[n][1];
            boolean all = true;
            for (int i = 0; i < n; i++) {
                if (done[i]) {
                    next[i][0] = out.get(i).get(out.get(i).size() - 1); // fed but ignored
                    continue;
                }
                double[] lp = logSoftmax(logits[i], 1f);
                int tok = cfg.sample() ? sample(logits[i], cfg, rng) : argmax(lp);
                out.get(i).add((long) tok);
                logProb[i] += lp[tok];
                next[i][0] = tok;
                done[i] = cfg.stopTokens().contains(tok);
                all &= done[i];
            }
            if (all || t == cfg.maxNewTokens() - 1 || cache.length() >= decoder.config().contextLength()) {
                break;
            }
            logits = last(decoder.logits(ids(m, next), context, contextMask, cache));
        }
        long[][] tokens = new long[n][];
        for (int i = 0; i < n; i++) {
            tokens[i] = out.get(i).stream().mapToLong(Long::longValue).toArray();
        }
        return new Output(tokens, logProb);
    }

    static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Temperature, then top-k, then top-p (nucleus) over what is left, then one draw. */
    /** One token drawn from logits with the config's temperature, top-k and top-p (its other settings unused). */
    public static int sample(float[] logits, GenerationConfig cfg, SplittableRandom rng) {
        double[] lp = logSoftmax(logits, cfg.temperature());
        Integer[] order = new Integer[lp.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -lp[i]).thenComparingInt(i -> i));
        int keep = cfg.topK() > 0 ? Math.min(cfg.topK(), order.length) : order.length;
        double mass = 0;
        int k = 0;
        while (k < keep) {
            mass += Math.exp(lp[order[k]]);
            k++;
            if (mass >= cfg.topP()) {
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < k; i++) {
            total += Math.exp(lp[order[i]]);
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < k; i++) {
            u -= Math.exp(lp[order[i]]);
            if (u <= 0) {
                return order[i];
            }
        }
        return order[k - 1];
    }

    private record Hyp(long[] tokens, double logProb, double score) {}

    private static Output beam(TextDecoder decoder, NDArray context, NDArray contextMask, NDArray prefix,
                               long[][] prompts, GenerationConfig cfg, NDManager m) {
        int n = prompts.length;
        int b = cfg.beamSize();
        long[] rep = new long[n * b];
        long[][] expanded = new long[n * b][];
        for (int i = 0; i < n * b; i++) {
            rep[i] = i / b;
            expanded[i] = prompts[i / b];
        }
        NDArray repIdx = m.create(rep);
        NDArray ctx = context == null ? null : context.get(repIdx);
        NDArray ctxMask = contextMask == null ? null : contextMask.get(repIdx);
        NDArray pre = prefix == null ? null : prefix.get(repIdx);
        KvCache cache = new KvCache(decoder.config().layers());
        float[][] logits = last(prefill(decoder, pre, expanded, ctx, ctxMask, cache, m));
        long[][] beams = new long[n * b][0];
        double[] beamLp = new double[n * b];
        for (int i = 0; i < n * b; i++) {
            beamLp[i] = i % b == 0 ? 0 : Double.NEGATIVE_INFINITY; // identical beams at the start: keep one
        }
        List<List<Hyp>> finished = new ArrayList<>();
        boolean[] groupDone = new boolean[n];
        for (int i = 0; i < n; i++) {
            finished.add(new ArrayList<>());
        }
        int v = logits[0].length;
        for (int t = 0; t < cfg.maxNewTokens(); t++) {
            long[] select = new long[n * b];
            long[][] nextBeams = new long[n * b][];
            double[] nextLp = new double[n * b];
            long[][] feed = new long[n * b][1];
            boolean last = t == cfg.maxNewTokens() - 1
                    || cache.length() >= decoder.config().contextLength();
            for (int g = 0; g < n; g++) {
                // candidates of the group: (beam, token) by cumulative log-probability
                List<double[]> cand = new ArrayList<>();
                for (int j = 0; j < b; j++) {
                    int row = g * b + j;
                    if (beamLp[row] == Double.NEGATIVE_INFINITY || groupDone[g]) {
                        continue;
                    }
                    double[] lp = logSoftmax(logits[row], 1f);
                    for (int tok = 0; tok < v; tok++) {
                        cand.add(new double[] {beamLp[row] + lp[tok], row, tok});
                    }
                }
                cand.sort(Comparator.comparingDouble((double[] c) -> -c[0]).thenComparingDouble(c -> c[1])
                        .thenComparingDouble(c -> c[2]));
                int filled = 0;
                for (double[] c : cand) {
                    if (filled == b) {
                        break;
                    }
                    int row = (int) c[1];
                    int tok = (int) c[2];
                    long[] seq = Arrays.copyOf(beams[row], beams[row].length + 1);
                    seq[seq.length - 1] = tok;
                    if (cfg.stopTokens().contains(tok) || last) {
                        finished.get(g).add(new Hyp(seq, c[0], c[0] / Math.pow(seq.length, cfg.lengthPenalty())));
                        if (!last) {
                            continue; // a finished hypothesis leaves the beam; the next candidate takes its place
                        }
                    }
                    int slot = g * b + filled++;
                    select[slot] = row;
                    nextBeams[slot] = seq;
                    nextLp[slot] = c[0];
                    feed[slot][0] = tok;
                }
                for (int j = filled; j < b; j++) { // fewer live candidates than beams: pad with dead beams
                    int slot = g * b + j;
                    select[slot] = g * b;
                    nextBeams[slot] = new long[0];
                    nextLp[slot] = Double.NEGATIVE_INFINITY;
                }
                // a group is done once it holds b finished hypotheses none of the live beams can still beat
                if (finished.get(g).size() >= b) {
                    double worstKept = finished.get(g).stream().mapToDouble(Hyp::score).sorted()
                            .skip(finished.get(g).size() - b).findFirst().orElse(Double.NEGATIVE_INFINITY);
                    double bestLive = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < b; j++) {
                        bestLive = Math.max(bestLive, nextLp[g * b + j]); // log-probs only fall from here
                    }
                    if (cfg.lengthPenalty() == 0 && bestLive <= worstKept) {
                        groupDone[g] = true;
                    } else if (cfg.lengthPenalty() != 0) {
                        groupDone[g] = true; // HF's early_stopping=True
                    }
                }
            }
            beams = nextBeams;
            beamLp = nextLp;
            boolean all = last;
            for (boolean d : groupDone) {
                all &= d;
            }
            if (all) {
                break;
            }
            cache.select(m.create(select));
            logits = last(decoder.logits(ids(m, feed), ctx, ctxMask, cache));
        }
        long[][] tokens = new long[n][];
        double[] lps = new double[n];
        for (int g = 0; g < n; g++) {
            Hyp best = finished.get(g).stream().max(Comparator.comparingDouble(Hyp::score)).orElseThrow();
            tokens[g] = best.tokens();
            lps[g] = best.logProb();
        }
        return new Output(tokens, lps);
    }
}
