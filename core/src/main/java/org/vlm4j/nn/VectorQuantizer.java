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
 *
 * <p>With {@code emaDecay > 0} the codebook is not trained by gradient (drop the codebook loss) but moved by
 * exponential moving averages of the vectors assigned to each code ({@link #emaUpdate}, VQ-VAE-2 / Razavi et al.
 * 2019, Laplace-smoothed counts); {@link #restartDeadCodes} gives codes that fell out of use a vector of the current
 * batch (Dhariwal et al. 2020). The EMA statistics are non-trainable parameters, so checkpoints carry them.
 */
public final class VectorQuantizer extends Module {
    private final Param codebook;
    private final int codes;
    private final int dim;
    private final float beta;
    private final float emaDecay;
    private final Param clusterSize;
    private final Param embedSum;

    /** What one call produced. */
    public record Result(NDArray quantized, NDArray codes, NDArray codebookLoss, NDArray commitmentLoss,
                         double perplexity) {}

    public VectorQuantizer(Init init, int codes, int dim, float beta) {
        this(init, codes, dim, beta, 0f);
    }

    /** @param emaDecay 0: the codebook learns by gradient; in (0, 1): by moving averages (e.g. 0.99) */
    public VectorQuantizer(Init init, int codes, int dim, float beta, float emaDecay) {
        if (codes <= 1 || dim <= 0 || !(beta >= 0) || !(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("a codebook needs > 1 codes, dim > 0, beta >= 0, emaDecay in [0, 1)");
        }
        this.codes = codes;
        this.dim = dim;
        this.beta = beta;
        this.emaDecay = emaDecay;
        // N(0, 1/K): the scale of the reference U(-1/K, 1/K)
        this.codebook = param("codebook", init.normal(1.0 / codes, codes, dim));
        if (emaDecay > 0) {
            codebook.setTrainable(false);
            this.clusterSize = param("ema_cluster_size", init.ones(codes));
            this.embedSum = param("ema_embed_sum", codebook.array().duplicate());
            clusterSize.setTrainable(false);
            embedSum.setTrainable(false);
        } else {
            this.clusterSize = null;
            this.embedSum = null;
        }
    }

    /**
     * One EMA step from a batch's inputs z [..., dim] and their codes [...]: per code, N_k <- g N_k + (1-g) n_k and
     * m_k <- g m_k + (1-g) sum of its vectors; then e_k = m_k / N_k with N_k Laplace-smoothed (eps 1e-5).
     */
    public void emaUpdate(NDArray z, NDArray ids) {
        if (emaDecay == 0) {
            throw new IllegalStateException("this quantiser learns its codebook by gradient (emaDecay 0)");
        }
        float[] zf = z.stopGradient().toFloatArray();
        long[] id = ids.toLongArray();
        double[] count = new double[codes];
        double[] sum = new double[codes * dim];
        for (int i = 0; i < id.length; i++) {
            int k = (int) id[i];
            count[k]++;
            for (int d = 0; d < dim; d++) {
                sum[k * dim + d] += zf[i * dim + d];
            }
        }
        float[] n = clusterSize.array().toFloatArray();
        float[] m = embedSum.array().toFloatArray();
        double total = 0;
        for (int k = 0; k < codes; k++) {
            n[k] = (float) (emaDecay * n[k] + (1 - emaDecay) * count[k]);
            total += n[k];
            for (int d = 0; d < dim; d++) {
                m[k * dim + d] = (float) (emaDecay * m[k * dim + d] + (1 - emaDecay) * sum[k * dim + d]);
            }
        }
        float[] e = new float[codes * dim];
        double eps = 1e-5;
        for (int k = 0; k < codes; k++) {
            double smoothed = (n[k] + eps) / (total + codes * eps) * total;
            for (int d = 0; d < dim; d++) {
                e[k * dim + d] = (float) (m[k * dim + d] / smoothed);
            }
        }
        clusterSize.set(n);
        embedSum.set(m);
        codebook.set(e);
    }

    /**
     * Codes whose EMA usage fell below {@code threshold} take a vector of z [..., dim] drawn with {@code seed} (their
     * statistics restart at usage 1 around it). Returns how many were restarted.
     */
    public int restartDeadCodes(NDArray z, float threshold, long seed) {
        if (emaDecay == 0) {
            throw new IllegalStateException("dead-code restarts need the EMA statistics (emaDecay > 0)");
        }
        float[] zf = z.stopGradient().toFloatArray();
        int rows = zf.length / dim;
        float[] n = clusterSize.array().toFloatArray();
        float[] m = embedSum.array().toFloatArray();
        float[] e = codebook.array().toFloatArray();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        int restarted = 0;
        for (int k = 0; k < codes; k++) {
            if (n[k] < threshold) {
                int r = rng.nextInt(rows);
                System.arraycopy(zf, r * dim, e, k * dim, dim);
                System.arraycopy(zf, r * dim, m, k * dim, dim);
                n[k] = 1;
                restarted++;
            }
        }
        if (restarted > 0) {
            clusterSize.set(n);
            embedSum.set(m);
            codebook.set(e);
        }
        return restarted;
    }

    public int codes() {
        return codes;
    }

    public int dim() {
        return dim;
    }

    /** Whether the codebook learns by moving averages (no codebook loss) rather than by gradient. */
    public boolean ema() {
        return emaDecay > 0;
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
        return perplexity(count);
    }

    /** exp(entropy) of code usage counts: K when all K codes are used equally, 1 when one code takes everything. */
    public static double perplexity(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }
}
