package org.vlm4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.vlm4j.nn.Scalars;

/**
 * Masked image modelling, the one implementation every masking family uses. Which patches: {@link #randomMask}, a
 * fixed share of each image's patches chosen uniformly (MAE). What is predicted at them: either the patch's pixels
 * normalised per patch (MAE, He et al. 2022: {@link #pixelTargets}, {@link #pixelLoss}) or the discrete code of an
 * image tokenizer at that patch (BEiT / FLAVA: {@link #codeLoss}). Losses count masked patches only.
 */
public final class MaskedPatches {
    /** MAE's variance epsilon in the per-patch normalisation. */
    public static final float EPS = 1e-6f;

    private MaskedPatches() {}

    /** Exactly {@code max(1, round(ratio * tokens))} masked patches per row, chosen uniformly. */
    public static boolean[][] randomMask(int n, int tokens, float ratio, SplittableRandom rng) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), got " + ratio);
        }
        int k = Math.max(1, Math.round(ratio * tokens));
        boolean[][] out = new boolean[n][tokens];
        for (int i = 0; i < n; i++) {
            int[] p = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                p[t] = t;
            }
            for (int t = tokens - 1; t > 0; t--) { // Fisher-Yates
                int j = rng.nextInt(t + 1);
                int s = p[t];
                p[t] = p[j];
                p[j] = s;
            }
            for (int t = 0; t < k; t++) {
                out[i][p[t]] = true;
            }
        }
        return out;
    }

    /** A mask as a float array [N, T] of 0/1. */
    public static NDArray asArray(boolean[][] mask, NDManager m) {
        int n = mask.length;
        int t = mask[0].length;
        float[] out = new float[n * t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < t; j++) {
                out[i * t + j] = mask[i][j] ? 1f : 0f;
            }
        }
        return m.create(out, new Shape(n, t));
    }

    /**
     * pixels [N, C, H, W] -> patches [N, (H/p)(W/p), p*p*C], patches row-major over the grid (the ViT's token order),
     * each patch's values in (row, column, channel) order as MAE's patchify.
     */
    public static NDArray patchify(NDArray pixels, int patch) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(2) % patch != 0 || s.get(3) % patch != 0) {
            throw new IllegalArgumentException("patchify needs pixels [N, C, H, W] with H and W multiples of " + patch
                    + ", got " + s);
        }
        long n = s.get(0);
        long c = s.get(1);
        long gh = s.get(2) / patch;
        long gw = s.get(3) / patch;
        return pixels.reshape(n, c, gh, patch, gw, patch).transpose(0, 2, 4, 3, 5, 1)
                .reshape(n, gh * gw, (long) patch * patch * c);
    }

    /** Each patch normalised by its own mean and variance: (x - mean) / sqrt(var + eps) (MAE's norm_pix_loss). */
    public static NDArray pixelTargets(NDArray patches) {
        NDArray mean = patches.mean(new int[] {-1}, true);
        NDArray centred = patches.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(EPS).sqrt());
    }

    /**
     * Mean over masked patches of the mean squared error over a patch's values.
     *
     * @param predicted [N, T, P]
     * @param targets   [N, T, P] (usually {@link #pixelTargets})
     * @param mask      [N, T] float 0/1, 1 = masked
     */
    public static NDArray pixelLoss(NDArray predicted, NDArray targets, NDArray mask) {
        if (!predicted.getShape().equals(targets.getShape())) {
            throw new IllegalArgumentException("predicted patches " + predicted.getShape() + " and targets "
                    + targets.getShape() + " differ in shape");
        }
        float count = mask.sum().getFloat();
        if (count == 0) {
            throw new IllegalArgumentException("masked image modelling: no patch is masked");
        }
        NDArray perPatch = predicted.sub(targets).square().mean(new int[] {-1}); // [N, T]
        return Scalars.div(perPatch.mul(mask).sum(), count);
    }

    /**
     * Cross-entropy of the image tokenizer's codes at the masked patches.
     *
     * @param logits [N, T, K] over the codebook
     * @param codes  [N][T] codes in [0, K)
     * @param mask   [N][T], true = masked
     */
    public static NDArray codeLoss(NDArray logits, int[][] codes, boolean[][] mask) {
        int n = codes.length;
        int t = codes[0].length;
        long[] targets = new long[n * t];
        for (int i = 0; i < n; i++) {
            if (codes[i].length != t || mask[i].length != t) {
                throw new IllegalArgumentException("row " + i + ": " + codes[i].length + " codes and "
                        + mask[i].length + " mask flags, expected " + t);
            }
            for (int j = 0; j < t; j++) {
                targets[i * t + j] = mask[i][j] ? codes[i][j] : MaskedTokens.IGNORE;
            }
        }
        NDArray y = logits.getManager().create(targets, new Shape(n, t)).toType(DataType.INT64, false);
        return NextToken.loss(logits, y, MaskedTokens.IGNORE);
    }
}
