package org.vlm4j.model.generative;

import ai.djl.ndarray.NDArray;

/**
 * The extension point for the VQ-VAE's optional perceptual or adversarial term (LPIPS, a VQGAN discriminator):
 * neither is implemented in vlm4j; a caller plugs one in through {@link VqVae#setAuxiliaryLoss}. It is not part of
 * the config, so it is not saved with the model, and {@code vlm4j train} never sets one.
 */
@FunctionalInterface
public interface AuxiliaryImageLoss {
    /**
     * A scalar loss from the decoder's output and the input, both normalised pixels [N, 3, H, W]; it must be
     * differentiable in {@code reconstruction} (the target carries no gradient). Constants go through
     * {@code nn.Scalars}.
     */
    NDArray loss(NDArray reconstruction, NDArray target);
}
