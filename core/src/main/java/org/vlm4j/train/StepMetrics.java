package org.vlm4j.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One line of metrics.jsonl. {@code metrics}: the model's figures that are not loss terms
 * ({@link Pretrainable#stepMetrics()}), left out of the line when there are none.
 */
public record StepMetrics(long step, Map<String, Float> losses, float loss, float lr, double gradNorm,
                          double imagesPerSecond, boolean skipped,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> metrics) {
    public StepMetrics(long step, Map<String, Float> losses, float loss, float lr, double gradNorm,
                       double imagesPerSecond, boolean skipped) {
        this(step, losses, loss, lr, gradNorm, imagesPerSecond, skipped, Map.of());
    }
}
