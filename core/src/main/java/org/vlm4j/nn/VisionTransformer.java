package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The ViT image tower (OpenCLIP / HF CLIP / SigLIP layouts, chosen by {@link VisionConfig}). Inputs of another
 * size than the configured one get the positional embedding resized bicubically (inference only: the resized
 * table is computed from the current values and carries no gradient).
 */
public final class VisionTransformer extends Module {
    private final VisionConfig config;
    private final ConvStem stem;
    private final Param patchWeight;
    private final Param patchBias;
    private final Param classToken;
    private final Param posEmbed;
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;
    private final AttentionPool head;
    private final Linear proj;

    public VisionTransformer(Init init, VisionConfig c) {
        this.config = c;
        this.stem = c.convStem().isEmpty() ? null : child("conv_stem", new ConvStem(init, 3, c.convStem(), c.lnEps()));
        int k = stem == null ? c.patchSize() : 1; // after a conv stem, a 1x1 conv to the width
        int inChannels = stem == null ? 3 : stem.outChannels();
        // PyTorch's default conv init scale (kaiming-uniform, a = sqrt 5), as OpenCLIP's ViT gets
        this.patchWeight = param("patch_embed.weight", init.normal(1 / Math.sqrt(3.0 * inChannels * k * k), c.width(),
                inChannels, k, k));
        this.patchBias = c.patchBias() ? param("patch_embed.bias", init.zeros(c.width())) : null;
        double scale = 1 / Math.sqrt(c.width()); // OpenCLIP: class and positional embeddings ~ width^-1/2 N(0, 1)
        this.classToken = c.classToken() ? param("cls_token", init.normal(scale, c.width())) : null;
        this.posEmbed = param("pos_embed", init.normal(scale, c.tokens(), c.width()));
        this.lnPre = c.lnPre() ? child("ln_pre", new LayerNorm(init, c.width(), c.lnEps())) : null;
        this.transformer = child("transformer", new Transformer(init, c.block(), c.layers()));
        this.lnPost = child("ln_post", new LayerNorm(init, c.width(), c.lnEps()));
        this.head = c.pool().equals("map")
                ? child("head", new AttentionPool(init, c.width(), c.heads(), 1, true, c.mlpHidden(), c.activation(),
                        c.lnEps()))
                : null;
        this.proj = c.outputDim() > 0 ? child("proj", new Linear(init, c.width(), c.outputDim(), c.projBias())) : null;
    }

    public VisionConfig config() {
        return config;
    }

    /** Width of the pooled, projected output. */
    public int outputDim() {
        return config.outputDim() > 0 ? config.outputDim() : config.width();
    }

    /** pixels [N, 3, H, W] -> all tokens after ln_post [N, T, D]. */
    public NDArray tokens(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("pixel_values must be [N, 3, H, W], got " + s);
        }
        int p = config.patchSize();
        if (s.get(2) % p != 0 || s.get(3) % p != 0) {
            throw new IllegalArgumentException("image size " + s.get(2) + "x" + s.get(3)
                    + " is not a multiple of the patch size " + p);
        }
        long n = s.get(0);
        int gh = (int) (s.get(2) / p);
        int gw = (int) (s.get(3) / p);
        NDArray x = stem == null ? pixels : stem.forward(pixels);
        Shape stride = stem == null ? new Shape(p, p) : new Shape(1, 1);
        x = ai.djl.nn.convolutional.Conv2d.conv2d(x, patchWeight.array(),
                patchBias == null ? null : patchBias.array(), stride).singletonOrThrow();
        x = x.reshape(n, config.width(), (long) gh * gw).transpose(0, 2, 1); // [N, g*g, D], row-major grid
        if (classToken != null) {
            NDArray cls = classToken.array().broadcast(n, 1, config.width());
            x = cls.concat(x, 1);
        }
        x = x.add(positional(gh, gw));
        if (lnPre != null) {
            x = lnPre.forward(x);
        }
        x = transformer.forward(x, null);
        return lnPost.forward(x);
    }

    private NDArray positional(int gh, int gw) {
        int g = config.grid();
        if (gh == g && gw == g) {
            return posEmbed.array();
        }
        int prefix = classToken == null ? 0 : 1;
        float[] resized = PosEmbed.resize(posEmbed.array().toFloatArray(), config.width(), prefix, g, g, gh, gw);
        return posEmbed.array().getManager().create(resized, new Shape(prefix + (long) gh * gw, config.width()));
    }

    /** tokens [N, T, D] -> pooled [N, D] (before projection). */
    public NDArray pool(NDArray tokens) {
        return switch (config.pool()) {
            case "tok" -> tokens.get(":, 0, :");
            case "avg" -> (classToken == null ? tokens : tokens.get(":, 1:, :")).mean(new int[] {1});
            case "map" -> head.forward(tokens).get(":, 0, :");
            default -> throw new IllegalStateException(config.pool());
        };
    }

    /** The output projection applied to pooled features [..., width] -> [..., outputDim] (identity without one). */
    public NDArray project(NDArray pooled) {
        return proj == null ? pooled : proj.forward(pooled);
    }

    /** pixels -> pooled and projected features [N, outputDim] (not normalised). */
    public NDArray encode(NDArray pixels) {
        NDArray pooled = pool(tokens(pixels));
        return proj == null ? pooled : proj.forward(pooled);
    }
}
