package org.vlm4j.train;

import java.util.Map;

/** One line of metrics.jsonl. */
public record StepMetrics(long step, Map<String, Float> losses, float loss, float lr, double gradNorm,
                          double imagesPerSecond, boolean skipped) {}
