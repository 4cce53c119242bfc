package org.vlm4j.eval;

/**
 * Where a correct item ranks among wrong items with exactly the same score. The evaluators count, per query, the
 * wrong items scoring strictly higher ({@code above}) and exactly equal ({@code tied}) to the best correct item; the
 * rule turns these into a 1-based rank. Float comparison is primitive, so {@code -0.0 == 0.0}.
 *
 * <p>Why {@link #PESSIMISTIC} is the default: OpenCLIP's {@code get_clip_metrics} ranks with
 * {@code torch.argsort(descending=True)}, which is not stable ({@code stable=False}): on the CPU, recent PyTorch
 * builds sort float rows with x86-simd-sort's key-value quicksort and older ones with {@code std::sort} (index order
 * for rows of at most 16 items, unspecified beyond), and CUDA orders ties differently again (pytorch#103909). So
 * OpenCLIP's answer on ties depends on the PyTorch build, the device, the row length and the order of the data. With
 * real float32 embeddings exact ties are rare and every rule agrees; they matter for degenerate models (collapsed or
 * constant embeddings, saturated scores, duplicate items), and there an evaluator must not report success: with all
 * scores equal the optimistic rule gives R@1 = 1, the pessimistic one R@1 = 0. The evaluators also report how many
 * queries had a tie, so a nonzero count says the rule mattered.
 */
public enum TieRule {
    /** Rank = 1 + above + tied: a correct item ranks behind every wrong item with an equal score (the default). */
    PESSIMISTIC,
    /** Rank = 1 + above: a correct item ranks ahead of every wrong item with an equal score. */
    OPTIMISTIC;

    public int rank(int above, int tied) {
        return this == PESSIMISTIC ? 1 + above + tied : 1 + above;
    }
}
