package org.vlm4j.train;

import org.vlm4j.data.CaptionMix;

/**
 * Everything that shapes a run. Defaults follow OpenCLIP's where they exist (betas 0.9/0.98, eps 1e-6, wd 0.2 on
 * matrices only, warmup then cosine, logit scale clamped to ln 100 by the model).
 */
public record TrainOptions(int steps, int batchSize, float lr, float weightDecay, int warmupSteps, float clipNorm,
                           int accumulate, int checkpointEvery, int keepCheckpoints, long seed, int maxNonFiniteInARow,
                           int prefetchBatches, CaptionMix captionMix) {
    public TrainOptions {
        if (steps <= 0 || batchSize <= 0 || accumulate <= 0) {
            throw new IllegalArgumentException("steps, batch size and accumulation must be positive");
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        }
    }

    /** Without caption augmentation. */
    public TrainOptions(int steps, int batchSize, float lr, float weightDecay, int warmupSteps, float clipNorm,
                        int accumulate, int checkpointEvery, int keepCheckpoints, long seed, int maxNonFiniteInARow,
                        int prefetchBatches) {
        this(steps, batchSize, lr, weightDecay, warmupSteps, clipNorm, accumulate, checkpointEvery, keepCheckpoints,
                seed, maxNonFiniteInARow, prefetchBatches, null);
    }

    public static TrainOptions defaults(int steps, int batchSize, float lr, long seed) {
        return new TrainOptions(steps, batchSize, lr, 0.2f, Math.max(1, steps / 10), 1.0f, 1,
                Math.max(1, steps / 5), 2, seed, 5, 4);
    }

    public TrainOptions withCheckpointEvery(int every) {
        return new TrainOptions(steps, batchSize, lr, weightDecay, warmupSteps, clipNorm, accumulate, every,
                keepCheckpoints, seed, maxNonFiniteInARow, prefetchBatches, captionMix);
    }

    public TrainOptions withAccumulate(int micro) {
        return new TrainOptions(steps, batchSize, lr, weightDecay, warmupSteps, clipNorm, micro, checkpointEvery,
                keepCheckpoints, seed, maxNonFiniteInARow, prefetchBatches, captionMix);
    }

    /** Trains on alternative captions too ({@link CaptionMix}); null for the captions as given. */
    public TrainOptions withCaptionMix(CaptionMix mix) {
        return new TrainOptions(steps, batchSize, lr, weightDecay, warmupSteps, clipNorm, accumulate, checkpointEvery,
                keepCheckpoints, seed, maxNonFiniteInARow, prefetchBatches, mix);
    }
}
