package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * VQ-VAE's vector quantiser (van den Oord et al. 2017): each input vector is replaced by its nearest codebook entry
 * (squared Euclidean distance), with the straight-through estimator passing the decoder's gradient to the encoder
 * unchanged. Losses: codebook {@code mean((q - sg(z))^2)} (moves the codes) and commitment
 * {@code beta * mean((z - sg(q))^2)} (keeps the encoder near its codes). {@code perplexity} = exp(entropy of the
 * batch's code usage): K when all K codes are used equally, 1 when one code takes everything.
 */
public final class VectorQuantizer extends Module {
    private final Param codebook;
    private final int codes;
    private final int dim;
    private final float beta;

    /** What one call produced. */
    public record Result(NDArray quantized, NDArray codes, NDArray codebookLoss, NDArray commitmentLoss,
                         double perplexity) {}

    public VectorQuantizer(Init init, int codes, int dim, float beta) {
        if (codes <= 1 || dim <= 0 || !(beta >= 0)) {
            throw new IllegalArgumentException("a codebook needs > 1 codes, dim > 0 and beta >= 0");
        }
        this.codes = codes;
        this.dim = dim;
        this.beta = beta;
        this.codebook = param("codebook", init.normal(1.0 / codes, codes, dim)); // N(0, 1/K): the scale of the reference U(-1/K, 1/K)
    }

    public int codes() {
        return codes;
    }

    /** z [..., dim] -> nearest codes [...] (int64), without gradient. */
    public NDArray encode(NDArray z) {
        Shape s = z.getShape();
        if (s.get(s.dimension() - 1) != dim) {
            throw new IllegalArgumentException("vector quantiser of dim " + dim + " got input " + s);
        }
        NDArray flat = z.stopGradient().reshape(-1, dim);
        NDArray e = codebook.array().stopGradient();
        // ||z||^2 - 2 z.e + ||e||^2; the ||z||^2 term does not change the argmin
        NDArray d = e.mul(e).sum(new int[] {1}).expandDims(0).sub(flat.matMul(e.transpose()).mul(2f));
        return d.argMin(1).reshape(s.slice(0, s.dimension() - 1));
    }

    /** codes [...] (int64) -> code vectors [..., dim]. */
    public NDArray decode(NDArray ids) {
        return Embedding.embedding(ids.toType(DataType.INT64, false), codebook.array(), SparseFormat.DENSE)
                .singletonOrThrow();
    }

    public Result forward(NDArray z) {
        NDArray ids = encode(z);
        NDArray q = decode(ids);
        NDArray zs = z.stopGradient();
        NDArray qs = q.stopGradient();
        NDArray dq = q.sub(zs);
        NDArray codebookLoss = dq.mul(dq).mean();
        NDArray dz = z.sub(qs);
        NDArray commitment = Scalars.mul(dz.mul(dz).mean(), beta);
        NDArray straightThrough = z.add(qs.sub(zs)); // forward: q; backward: identity to z
        return new Result(straightThrough, ids, codebookLoss, commitment, perplexity(ids));
    }

    double perplexity(NDArray ids) {
        long[] flat = ids.toLongArray();
        long[] count = new long[codes];
        for (long c : flat) {
            count[(int) c]++;
        }
        double h = 0;
        for (long c : count) {
            if (c > 0) {
                double p = (double) c / flat.length;
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }
}
