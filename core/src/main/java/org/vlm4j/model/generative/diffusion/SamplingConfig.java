package org.vlm4j.model.generative.diffusion;

/**
 * How images are drawn from a diffusion model.
 *
 * @param sampler  {@code ddpm} (ancestral, every one of the T steps) or {@code ddim} (Song et al. 2021, {@code steps}
 *                 evenly spaced steps)
 * @param steps    DDIM's number of steps (ignored by DDPM, which takes all T)
 * @param guidance classifier-free guidance scale w: eps = eps(empty) + w (eps(caption) - eps(empty)); 1 is the plain
 *                 conditional model, 0 the unconditional one
 * @param eta      DDIM's noise (0: deterministic)
 * @param seed     the starting noise and every later draw derive from it (the same seed, the same images)
 */
public record SamplingConfig(String sampler, int steps, float guidance, float eta, long seed) {
    public static final String DDPM = "ddpm";
    public static final String DDIM = "ddim";

    public SamplingConfig {
        if (!DDPM.equals(sampler) && !DDIM.equals(sampler)) {
            throw new IllegalArgumentException("sampler must be 'ddpm' or 'ddim', got '" + sampler + "'");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("sampling steps must be positive, got " + steps);
        }
        if (!(guidance >= 0) || !(eta >= 0)) {
            throw new IllegalArgumentException("guidance and eta must be >= 0, got " + guidance + ", " + eta);
        }
    }

    /** DDIM, 50 steps, guidance 3, deterministic. */
    public static SamplingConfig defaults(long seed) {
        return new SamplingConfig(DDIM, 50, 3f, 0f, seed);
    }

    public static SamplingConfig ddpm(float guidance, long seed) {
        return new SamplingConfig(DDPM, 1, guidance, 1f, seed);
    }

    public static SamplingConfig ddim(int steps, float guidance, long seed) {
        return new SamplingConfig(DDIM, steps, guidance, 0f, seed);
    }

    public SamplingConfig withGuidance(float w) {
        return new SamplingConfig(sampler, steps, w, eta, seed);
    }

    public SamplingConfig withSeed(long s) {
        return new SamplingConfig(sampler, steps, guidance, eta, s);
    }
}
