package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * Masked language modelling (BERT, Devlin et al. 2019), the one implementation every masking family uses: each
 * maskable position is selected with probability {@code prob} (BERT: 0.15); a selected position's input becomes
 * {@code [MASK]} (80%), a random token (10%) or stays as it is (10%), and the loss is the cross-entropy of the
 * original token at the selected positions only. A row with maskable positions of which none was selected gets one
 * selected uniformly (a short caption would otherwise often carry no loss); on long rows this changes nothing.
 */
public final class MaskedTokens {
    /** The target of a position that carries no loss. */
    public static final long IGNORE = -1;
    public static final float BERT_PROB = 0.15f;

    private MaskedTokens() {}

    /**
     * @param inputs  the rows with the rule applied, what the model reads
     * @param targets the original id at selected positions, {@link #IGNORE} elsewhere
     */
    public record Masked(long[][] inputs, long[][] targets) {
        public int selected() {
            int n = 0;
            for (long[] row : targets) {
                for (long t : row) {
                    n += t == IGNORE ? 0 : 1;
                }
            }
            return n;
        }
    }

    /**
     * Applies BERT's rule.
     *
     * @param ids       token rows
     * @param maskable  which positions may be selected (real text tokens: not [CLS], [SEP] or padding)
     * @param maskId    the [MASK] id
     * @param randomIds the ids a random replacement is drawn from (the text vocabulary without special tokens)
     * @param prob      selection probability
     */
    public static Masked mask(long[][] ids, boolean[][] maskable, long maskId, long[] randomIds, float prob,
                              SplittableRandom rng) {
        if (randomIds.length == 0) {
            throw new IllegalArgumentException("no ids to draw random replacements from");
        }
        if (!(prob > 0 && prob <= 1)) {
            throw new IllegalArgumentException("selection probability must be in (0, 1], got " + prob);
        }
        long[][] inputs = new long[ids.length][];
        long[][] targets = new long[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            if (maskable[r].length != ids[r].length) {
                throw new IllegalArgumentException("row " + r + ": " + ids[r].length + " ids but " + maskable[r].length
                        + " maskable flags");
            }
            inputs[r] = ids[r].clone();
            targets[r] = new long[ids[r].length];
            java.util.Arrays.fill(targets[r], IGNORE);
            int candidates = 0;
            boolean any = false;
            for (int t = 0; t < ids[r].length; t++) {
                if (!maskable[r][t]) {
                    continue;
                }
                candidates++;
                if (rng.nextDouble() < prob) {
                    select(ids[r], inputs[r], targets[r], t, maskId, randomIds, rng);
                    any = true;
                }
            }
            if (!any && candidates > 0) {
                int k = rng.nextInt(candidates);
                for (int t = 0; t < ids[r].length; t++) {
                    if (maskable[r][t] && k-- == 0) {
                        select(ids[r], inputs[r], targets[r], t, maskId, randomIds, rng);
                        break;
                    }
                }
            }
        }
        return new Masked(inputs, targets);
    }

    private static void select(long[] ids, long[] inputs, long[] targets, int t, long maskId, long[] randomIds,
                               SplittableRandom rng) {
        targets[t] = ids[t];
        double u = rng.nextDouble();
        if (u < 0.8) {
            inputs[t] = maskId;
        } else if (u < 0.9) {
            inputs[t] = randomIds[rng.nextInt(randomIds.length)];
        } // else: kept
    }

    /**
     * Mean cross-entropy of the targets at the selected positions (targets not {@link #IGNORE}).
     *
     * @param logits  [N, L, V]
     * @param targets [N, L] int64
     */
    public static NDArray loss(NDArray logits, NDArray targets) {
        return NextToken.loss(logits, targets, IGNORE);
    }
}
