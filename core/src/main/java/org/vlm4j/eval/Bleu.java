package org.vlm4j.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus-level BLEU (Papineni et al. 2002) as pycocoevalcap computes it: for every order n, the candidates' n-gram
 * counts clipped by the largest count in any one reference of the same image, summed over the corpus, over the
 * candidates' n-gram totals; BLEU-n = (p1 ... pn)^(1/n) x BP, with the brevity penalty BP = exp(1 - r / c) when the
 * candidates' total length c is below r, the sum over images of the reference length closest to the candidate's
 * (the shorter on a tie). Like pycocoevalcap, each precision is (matches + 1e-15) / (total + 1e-9), so an order with
 * no match gives a tiny score rather than zero or a division by zero. Inputs are already tokenised
 * ({@link CaptionTokens}).
 */
public final class Bleu {
    public static final int MAX_N = 4;
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;

    /**
     * @param bleu            BLEU-1 .. BLEU-4 at indices 0..3
     * @param matches         clipped n-gram matches per order, summed over the corpus
     * @param totals          candidate n-grams per order, summed over the corpus
     * @param candidateLength c, candidate tokens in all
     * @param referenceLength r, the closest reference lengths summed
     */
    public record Result(double[] bleu, long[] matches, long[] totals, long candidateLength, long referenceLength) {
        public double brevityPenalty() {
            double ratio = (candidateLength + TINY) / (referenceLength + SMALL);
            return ratio < 1 ? Math.exp(1 - 1 / ratio) : 1;
        }
    }

    private Bleu() {}

    /** candidates.get(i) is scored against every list in references.get(i) (at least one). */
    public static Result corpus(List<List<String>> candidates, List<List<List<String>>> references) {
        if (candidates.size() != references.size() || candidates.isEmpty()) {
            throw new IllegalArgumentException("BLEU needs one reference set per candidate and at least one candidate;"
                    + " got " + candidates.size() + " candidates and " + references.size() + " reference sets");
        }
        long[] matches = new long[MAX_N];
        long[] totals = new long[MAX_N];
        long c = 0;
        long r = 0;
        for (int i = 0; i < candidates.size(); i++) {
            List<String> cand = candidates.get(i);
            List<List<String>> refs = references.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("candidate " + i + " has no reference");
            }
            Map<String, Integer> maxRef = new HashMap<>();
            int closest = -1;
            for (List<String> ref : refs) {
                NGrams.count(ref, MAX_N).forEach((g, k) -> maxRef.merge(g, k, Math::max));
                int d = Math.abs(ref.size() - cand.size());
                int best = Math.abs(closest - cand.size());
                if (closest < 0 || d < best || (d == best && ref.size() < closest)) {
                    closest = ref.size();
                }
            }
            for (Map.Entry<String, Integer> e : NGrams.count(cand, MAX_N).entrySet()) {
                matches[NGrams.order(e.getKey()) - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            }
            for (int n = 1; n <= MAX_N; n++) {
                totals[n - 1] += Math.max(0, cand.size() - n + 1);
            }
            c += cand.size();
            r += closest;
        }
        Result partial = new Result(null, matches, totals, c, r);
        double bp = partial.brevityPenalty();
        double[] bleu = new double[MAX_N];
        double product = 1;
        for (int n = 1; n <= MAX_N; n++) {
            product *= (matches[n - 1] + TINY) / (totals[n - 1] + SMALL);
            bleu[n - 1] = Math.pow(product, 1.0 / n) * bp;
        }
        return new Result(bleu, matches, totals, c, r);
    }
}
