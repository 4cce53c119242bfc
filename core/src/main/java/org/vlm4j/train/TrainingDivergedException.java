package org.vlm4j.train;

/** Too many non-finite losses or gradients in a row: training stops instead of corrupting the weights. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
