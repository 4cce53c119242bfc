package org.vlm4j.train;

/** Linear warmup to the base rate, then cosine decay to zero at the last step (OpenCLIP's cosine_lr). */
public record LrSchedule(float base, int warmupSteps, int totalSteps) {
    public float at(int step) {
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) decaySteps);
        return (float) (0.5 * (1 + Math.cos(Math.PI * progress)) * base);
    }
}
