package org.vlm4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.VlmModel;

/**
 * What the trainer needs of a model, and nothing more: run forward and backward over one optimiser step's
 * micro-batches, accumulating gradients into the trainable parameters, and report the named loss terms.
 * (DESIGN.md says {@code loss(Batch)}; the trainer hands over all micro-batches at once because contrastive losses
 * need negatives from the whole accumulated batch, which only the family knows how to splice in.)
 */
public interface Pretrainable extends VlmModel {
    /** Loss terms by name (their sum is what was minimised), as plain values. */
    Map<String, Float> forwardBackward(List<Batch> microBatches, GradientCollector collector, NDManager manager);

    /** How training images are decoded and normalised; null for a text-only model (the loader then reads no image). */
    ImagePreprocessor preprocessor();

    /** Called after each optimiser update (e.g. CLIP clamps its logit scale). */
    default void afterUpdate() {}

    /**
     * Figures of the last {@link #forwardBackward} call that are not loss terms (so not summed into the loss), e.g.
     * the VQ-VAE's codebook perplexity; they go to metrics.jsonl as {@code metrics}. None by default.
     */
    default Map<String, Double> stepMetrics() {
        return Map.of();
    }
}
