package org.vlm4j.model.generative.diffusion;

import java.util.SplittableRandom;

/**
 * DDPM and DDIM sampling over flat float arrays, for any noise predictor. Both predict the clean image
 * x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clip it to [-1, 1] (as the DDPM reference code does), and step
 * from it: DDPM to the posterior q(x_{t-1} | x_t, x0) with its variance beta~_t; DDIM to
 * x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps' + sigma z, eps' re-derived from the clipped x0.
 */
public final class Sampler {
    /** eps_theta for the whole batch at one timestep (guidance included). */
    @FunctionalInterface
    public interface NoisePredictor {
        float[] predict(float[] x, int t);
    }

    private Sampler() {}

    /** Samples x0 in [-1, 1] ({@code values} floats) starting from seeded Gaussian noise. */
    public static float[] sample(NoiseSchedule schedule, SamplingConfig cfg, int values, NoisePredictor model) {
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        float[] x = gaussian(rng, values);
        int[] ts = cfg.sampler().equals(SamplingConfig.DDPM) ? schedule.samplingTimesteps(schedule.steps())
                : schedule.samplingTimesteps(Math.min(cfg.steps(), schedule.steps()));
        for (int i = 0; i < ts.length; i++) {
            int t = ts[i];
            int prev = i + 1 < ts.length ? ts[i + 1] : -1;
            float[] eps = model.predict(x, t);
            x = cfg.sampler().equals(SamplingConfig.DDPM) ? ddpmStep(schedule, x, eps, t, rng)
                    : ddimStep(schedule, x, eps, t, prev, cfg.eta(), rng);
        }
        return x;
    }

    static float[] gaussian(SplittableRandom rng, int n) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) rng.nextGaussian();
        }
        return z;
    }

    private static double clip(double v) {
        return v < -1 ? -1 : v > 1 ? 1 : v;
    }

    static float[] ddpmStep(NoiseSchedule s, float[] x, float[] eps, int t, SplittableRandom rng) {
        double ab = s.alphaBar(t);
        double abPrev = s.alphaBar(t - 1);
        double beta = s.beta(t);
        double c0 = Math.sqrt(abPrev) * beta / (1 - ab);
        double ct = Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab);
        double sd = t > 0 ? Math.sqrt(beta * (1 - abPrev) / (1 - ab)) : 0;
        double sqrtAb = Math.sqrt(ab);
        double sqrt1mAb = Math.sqrt(1 - ab);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double x0 = clip((x[i] - sqrt1mAb * eps[i]) / sqrtAb);
            double mean = c0 * x0 + ct * x[i];
            out[i] = (float) (sd > 0 ? mean + sd * rng.nextGaussian() : mean);
        }
        return out;
    }

    static float[] ddimStep(NoiseSchedule s, float[] x, float[] eps, int t, int prev, float eta,
                            SplittableRandom rng) {
        double ab = s.alphaBar(t);
        double abPrev = s.alphaBar(prev);
        double sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
        double dir = Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma));
        double sqrtAb = Math.sqrt(ab);
        double sqrt1mAb = Math.sqrt(1 - ab);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double x0 = clip((x[i] - sqrt1mAb * eps[i]) / sqrtAb);
            double e = (x[i] - sqrtAb * x0) / sqrt1mAb;
            double v = Math.sqrt(abPrev) * x0 + dir * e;
            out[i] = (float) (sigma > 0 ? v + sigma * rng.nextGaussian() : v);
        }
        return out;
    }
}
