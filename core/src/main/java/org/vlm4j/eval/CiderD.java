package org.vlm4j.eval;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D (Vedantam et al. 2015), as pycocoevalcap's Cider scorer computes it. Per order n = 1..4, a caption is a
 * vector of TF-IDF weights g(w) = count(w) x (ln |I| - ln max(1, df(w))), where |I| is the number of images in the
 * evaluated corpus and df(w) the number of images among whose references the n-gram w occurs. An image's score is
 * 10 x the mean over n, and over its references, of the clipped cosine
 * sum_w min(g_cand(w), g_ref(w)) g_ref(w) / (|g_cand| |g_ref|) times the Gaussian length penalty
 * exp(-(l_cand - l_ref)^2 / (2 x 6^2)); the corpus score is the mean over images. As in pycocoevalcap, the lengths
 * in the penalty are bigram counts (one less than the token count, 0 for a single token), and a zero vector gives
 * a cosine of 0.
 */
public final class CiderD {
    public static final int MAX_N = 4;
    public static final double SIGMA = 6;

    /** @param score the corpus CIDEr-D; {@code perImage} the score of each candidate */
    public record Result(double score, double[] perImage) {}

    private CiderD() {}

    public static Result corpus(List<List<String>> candidates, List<List<List<String>>> references) {
        if (candidates.size() != references.size() || candidates.isEmpty()) {
            throw new IllegalArgumentException("CIDEr-D needs one reference set per candidate and at least one"
                    + " candidate; got " + candidates.size() + " candidates and " + references.size()
                    + " reference sets");
        }
        Map<String, Integer> df = new HashMap<>();
        for (List<List<String>> refs : references) {
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("every candidate needs a reference");
            }
            Set<String> seen = new HashSet<>();
            for (List<String> ref : refs) {
                seen.addAll(NGrams.count(ref, MAX_N).keySet());
            }
            seen.forEach(g -> df.merge(g, 1, Integer::sum));
        }
        double logImages = Math.log(candidates.size());
        double[] per = new double[candidates.size()];
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Vec cand = new Vec(candidates.get(i), df, logImages);
            double s = 0;
            for (List<String> ref : references.get(i)) {
                s += cand.similarity(new Vec(ref, df, logImages));
            }
            per[i] = 10 * s / MAX_N / references.get(i).size();
            sum += per[i];
        }
        return new Result(sum / candidates.size(), per);
    }

    /** The TF-IDF vectors of one caption, one per order, with their norms and the (bigram) length. */
    private static final class Vec {
        final List<Map<String, Double>> weights = new java.util.ArrayList<>();
        final double[] norm = new double[MAX_N];
        final int length;

        Vec(List<String> tokens, Map<String, Integer> df, double logImages) {
            for (int n = 0; n < MAX_N; n++) {
                weights.add(new HashMap<>());
            }
            int bigrams = 0;
            for (Map.Entry<String, Integer> e : NGrams.count(tokens, MAX_N).entrySet()) {
                int n = NGrams.order(e.getKey()) - 1;
                double w = e.getValue() * (logImages - Math.log(Math.max(1, df.getOrDefault(e.getKey(), 0))));
                weights.get(n).put(e.getKey(), w);
                norm[n] += w * w;
                if (n == 1) {
                    bigrams += e.getValue();
                }
            }
            for (int n = 0; n < MAX_N; n++) {
                norm[n] = Math.sqrt(norm[n]);
            }
            this.length = bigrams;
        }

        /** Sum over orders of the clipped, length-penalised cosine. */
        double similarity(Vec ref) {
            double delta = length - ref.length;
            double penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
            double total = 0;
            for (int n = 0; n < MAX_N; n++) {
                double v = 0;
                for (Map.Entry<String, Double> e : weights.get(n).entrySet()) {
                    double r = ref.weights.get(n).getOrDefault(e.getKey(), 0.0);
                    v += Math.min(e.getValue(), r) * r;
                }
                if (norm[n] != 0 && ref.norm[n] != 0) {
                    v /= norm[n] * ref.norm[n];
                }
                total += v * penalty;
            }
            return total;
        }
    }
}
