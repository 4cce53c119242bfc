package org.vlm4j.model.contrastive;

import org.vlm4j.text.Tokenizer;

/**
 * SigLIP: the same towers as {@link Clip}, trained with the pairwise sigmoid loss, so it always has a learned logit
 * bias; usually a MAP attention-pooling head, last-token text pooling and no causal mask (all set in the config).
 */
public class SigLip extends Clip {
    public static final String FAMILY = "siglip";

    public SigLip(ClipConfig config, Tokenizer tokenizer, long seed) {
        super(requireSigLip(config), tokenizer, seed);
    }

    private static ClipConfig requireSigLip(ClipConfig c) {
        if (!c.family().equals(FAMILY)) {
            throw new IllegalArgumentException("SigLip needs family 'siglip', got '" + c.family() + "'");
        }
        return c;
    }

    /** Builds the right class for a config's family. */
    public static Clip create(ClipConfig config, Tokenizer tokenizer, long seed) {
        return switch (config.family()) {
            case FAMILY -> new SigLip(config, tokenizer, seed);
            case Llip.FAMILY -> new Llip(config, tokenizer, seed);
            default -> new Clip(config, tokenizer, seed);
        };
    }
}
