package org.vlm4j.model.generative.diffusion;

/**
 * A DDPM noise schedule over {@code T} steps t = 0..T-1 (Ho et al. 2020): betas, alphas = 1 - betas and their
 * cumulative products alpha-bar, in double precision. {@code linear}: betas from 1e-4 to 0.02 scaled by 1000 / T (so
 * other T keep the same overall noise); {@code cosine} (Nichol and Dhariwal 2021): alpha-bar(t) = f(t) / f(0) with
 * f(t) = cos^2(((t / T + s) / (1 + s)) pi / 2), s = 0.008, betas clipped at 0.999.
 */
public final class NoiseSchedule {
    public static final String LINEAR = "linear";
    public static final String COSINE = "cosine";

    private final double[] betas;
    private final double[] alphaBars;

    private NoiseSchedule(double[] betas) {
        this.betas = betas;
        this.alphaBars = new double[betas.length];
        double prod = 1;
        for (int t = 0; t < betas.length; t++) {
            prod *= 1 - betas[t];
            alphaBars[t] = prod;
        }
    }

    public static NoiseSchedule of(String kind, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("a noise schedule needs at least 2 timesteps, got " + steps);
        }
        return switch (kind) {
            case LINEAR -> linear(steps);
            case COSINE -> cosine(steps);
            default -> throw new IllegalArgumentException("schedule must be 'linear' or 'cosine', got '" + kind + "'");
        };
    }

    static NoiseSchedule linear(int steps) {
        double scale = 1000.0 / steps;
        double lo = scale * 1e-4;
        double hi = scale * 0.02;
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            b[t] = lo + (hi - lo) * t / (steps - 1);
        }
        return new NoiseSchedule(b);
    }

    static NoiseSchedule cosine(int steps) {
        double s = 0.008;
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            b[t] = Math.min(0.999, 1 - f(t + 1, steps, s) / f(t, steps, s));
        }
        return new NoiseSchedule(b);
    }

    private static double f(double t, int steps, double s) {
        double c = Math.cos((t / steps + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    public int steps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    /** alpha-bar(t) = prod_{s <= t} (1 - beta_s); alpha-bar(-1) = 1 (the clean image). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }

    /** {@code count} timesteps evenly spaced over [0, T), descending (DDIM's sampling grid; all T when count = T). */
    public int[] samplingTimesteps(int count) {
        if (count < 1 || count > steps()) {
            throw new IllegalArgumentException("sampling steps must be 1.." + steps() + ", got " + count);
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[count - 1 - i] = (int) Math.round((double) i * (steps() - 1) / Math.max(1, count - 1));
        }
        if (count == 1) {
            out[0] = steps() - 1;
        }
        return out;
    }
}
