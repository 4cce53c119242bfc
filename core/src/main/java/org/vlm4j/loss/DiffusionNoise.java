package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * The DDPM "simple" objective (Ho et al. 2020): mean over every element of (eps - eps_theta)^2, the noise that was
 * added and the noise the model predicts.
 */
public final class DiffusionNoise {
    private DiffusionNoise() {}

    public static NDArray loss(NDArray predicted, NDArray noise) {
        if (!predicted.getShape().equals(noise.getShape())) {
            throw new IllegalArgumentException("predicted noise " + predicted.getShape() + " and noise "
                    + noise.getShape() + " differ in shape");
        }
        NDArray d = predicted.sub(noise);
        return d.mul(d).mean();
    }
}
