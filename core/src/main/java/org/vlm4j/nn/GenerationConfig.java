package org.vlm4j.nn;

import java.util.Set;

/**
 * How {@link Generator} picks tokens.
 *
 * @param maxNewTokens  tokens to generate at most (a stop token ends a row earlier)
 * @param beamSize      1: greedy or sampling; &gt; 1: beam search (deterministic; sampling settings ignored)
 * @param sample        draw from the distribution (with temperature, topK, topP) instead of taking the argmax
 * @param temperature   divides the logits before sampling (&gt; 0)
 * @param topK          sample among the K most likely tokens only (0: all)
 * @param topP          sample within the smallest set of tokens whose probability reaches topP (1: all)
 * @param lengthPenalty beam hypotheses are ranked by log-probability / length^lengthPenalty (0: raw sum)
 * @param stopTokens    tokens that end a row (kept as its last token)
 * @param seed          the sampler's seed: the same seed gives the same samples
 */
public record GenerationConfig(int maxNewTokens, int beamSize, boolean sample, float temperature, int topK, float topP,
                               float lengthPenalty, Set<Integer> stopTokens, long seed) {
    public GenerationConfig {
        if (maxNewTokens <= 0 || beamSize <= 0) {
            throw new IllegalArgumentException("maxNewTokens and beamSize must be positive");
        }
        if (!(temperature > 0) || topK < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("temperature must be > 0, topK >= 0, topP in (0, 1]");
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    public static GenerationConfig greedy(int maxNewTokens, Set<Integer> stopTokens) {
        return new GenerationConfig(maxNewTokens, 1, false, 1f, 0, 1f, 0f, stopTokens, 0);
    }

    public static GenerationConfig beam(int maxNewTokens, int beams, Set<Integer> stopTokens) {
        return new GenerationConfig(maxNewTokens, beams, false, 1f, 0, 1f, 1f, stopTokens, 0);
    }

    public static GenerationConfig sampling(int maxNewTokens, float temperature, int topK, float topP,
                                            Set<Integer> stopTokens, long seed) {
        return new GenerationConfig(maxNewTokens, 1, true, temperature, topK, topP, 0f, stopTokens, seed);
    }
}
