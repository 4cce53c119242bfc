package org.vlm4j.model.generative.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.vlm4j.nn.NoGrad;

/**
 * The diffusion classifier (Li et al. 2023, "Your Diffusion Model is Secretly a Zero-Shot Classifier"): the score of
 * text c for image x is -mean over samples (t_j, eps_j) of ||eps_j - eps_theta(sqrt(abar_t) x + sqrt(1 - abar_t) eps_j,
 * t_j, c)||^2 / D. Every class and every image sees the same samples (the paper's variance reduction: the
 * differences between classes are then not drowned by the noise of the draws), and each round's timesteps are evenly
 * spaced over [0, T).
 *
 * <p><b>Adaptive elimination</b> ({@link Rounds}): round r brings every class still in the running up to
 * {@code samples[r]} samples (reusing the errors of earlier rounds) and keeps the {@code keep[r]} classes of lowest
 * mean error; so most classes are dropped after a few cheap samples. With a single round that keeps every class it
 * is the exhaustive classifier. Its cost is counted in evaluations: one evaluation = one eps_theta of one image for
 * one class and one sample.
 *
 * <p>Why a method beside {@link org.vlm4j.model.ImageTextScorer#score}: an all-pairs score matrix has no place for
 * classes that were dropped early, and elimination is decided per image, so {@link #classify} returns the top-1 per
 * image, the scores (a dropped class scores below every class that outlived it) and the evaluation count; the
 * interface's {@code score} is this with the exhaustive rounds.
 */
public final class DiffusionClassifier {
    /**
     * The elimination schedule: after round r, each class in the running has been evaluated on {@code samples[r]}
     * samples (cumulative, increasing) and the best {@code keep[r]} stay (non-increasing; a keep larger than the
     * classes left keeps them all).
     */
    public record Rounds(List<Integer> samples, List<Integer> keep, long seed) {
        public Rounds {
            samples = List.copyOf(samples);
            keep = List.copyOf(keep);
            if (samples.isEmpty() || samples.size() != keep.size()) {
                throw new IllegalArgumentException("rounds need as many sample counts as keep counts (at least one),"
                        + " got " + samples + " and " + keep);
            }
            for (int r = 0; r < samples.size(); r++) {
                if (samples.get(r) < 1 || (r > 0 && samples.get(r) <= samples.get(r - 1))) {
                    throw new IllegalArgumentException("sample counts must be positive and increasing, got " + samples);
                }
                if (keep.get(r) < 1 || (r > 0 && keep.get(r) > keep.get(r - 1))) {
                    throw new IllegalArgumentException("keep counts must be positive and non-increasing, got " + keep);
                }
            }
        }

        /** One round, every class kept: the exhaustive classifier. */
        public static Rounds exhaustive(int samples) {
            return new Rounds(List.of(samples), List.of(Integer.MAX_VALUE), 0);
        }

        /** The same samples as these rounds, every class kept in every round: what elimination is compared with. */
        public Rounds withoutElimination() {
            return new Rounds(samples, java.util.Collections.nCopies(samples.size(), Integer.MAX_VALUE), seed);
        }

        /** Parses {@code "20:20,50:10,100:5,500:1"} (samples:keep per round). */
        public static Rounds parse(String spec, long seed) {
            List<Integer> s = new ArrayList<>();
            List<Integer> k = new ArrayList<>();
            for (String part : spec.split(",")) {
                String[] sk = part.strip().split(":");
                if (sk.length != 2) {
                    throw new IllegalArgumentException("rounds '" + spec + "': each round is SAMPLES:KEEP, e.g."
                            + " 20:20,50:10,100:5,500:1");
                }
                try {
                    s.add(Integer.parseInt(sk[0].strip()));
                    k.add(Integer.parseInt(sk[1].strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("rounds '" + spec + "': '" + part + "' is not SAMPLES:KEEP");
                }
            }
            return new Rounds(s, k, seed);
        }

        public int totalSamples() {
            return samples.get(samples.size() - 1);
        }
    }

    /**
     * @param top1        the winning class of each image
     * @param scores      [image][class]: -mean error over the samples the class got; a class dropped in an earlier
     *                    round is shifted below every class that outlived it (by 1e6 per round it missed), so rows
     *                    rank in elimination order
     * @param evaluations eps_theta evaluations over all images
     */
    public record Result(int[] top1, float[][] scores, long evaluations, int images) {
        public double evaluationsPerImage() {
            return images == 0 ? 0 : (double) evaluations / images;
        }
    }

    private final DiffusionModel model;
    private final Rounds rounds;

    public DiffusionClassifier(DiffusionModel model, Rounds rounds) {
        this.model = model;
        this.rounds = rounds;
    }

    /** Timesteps of round r's new samples: evenly spaced over [0, T), offset per round so rounds interleave. */
    static int[] timesteps(int timesteps, int count, int round) {
        double offset = round == 0 ? 0.5 : (0.5 + round * 0.6180339887498949) % 1.0;
        int[] t = new int[count];
        for (int i = 0; i < count; i++) {
            t[i] = Math.min(timesteps - 1, (int) Math.floor((i + offset) * timesteps / count));
        }
        return t;
    }

    /** Round r's noise: [count][values], a function of the seed and the round only (never of the class or image). */
    static float[][] noise(long seed, int round, int count, int values) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + round);
        float[][] out = new float[count][];
        for (int j = 0; j < count; j++) {
            out[j] = Sampler.gaussian(rng, values);
        }
        return out;
    }

    /** Classifies preprocessed images [n, 3, h, w] among texts (class prompts) with the elimination rounds. */
    public Result classify(float[] pixels, int n, int height, int width, List<String> texts) {
        int s = model.imageSize();
        if (height != s || width != s) {
            throw new IllegalArgumentException("images are " + height + "x" + width + ", the diffusion model takes "
                    + s + "x" + s);
        }
        int v = model.imageValues();
        if (pixels.length != (long) n * v) {
            throw new IllegalArgumentException("expected " + (long) n * v + " pixel values for " + n + " images, got "
                    + pixels.length);
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to score");
        }
        int classes = texts.size();
        int rs = rounds.samples().size();
        int[][] ts = new int[rs][];
        float[][][] eps = new float[rs][][];
        for (int r = 0; r < rs; r++) {
            int count = rounds.samples().get(r) - (r == 0 ? 0 : rounds.samples().get(r - 1));
            ts[r] = timesteps(model.config().timesteps(), count, r);
            eps[r] = noise(rounds.seed(), r, count, v);
        }
        int[] top1 = new int[n];
        float[][] scores = new float[n][classes];
        long evaluations = 0;
        try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = model.manager().newSubManager()) {
            NDArray[] ctx = model.textContext(texts, m);
            for (int i = 0; i < n; i++) {
                float[] x0 = Arrays.copyOfRange(pixels, i * v, (i + 1) * v);
                double[] errorSum = new double[classes];
                int[] got = new int[classes];
                int[] droppedAt = new int[classes];
                Arrays.fill(droppedAt, rs);
                List<Integer> alive = new ArrayList<>();
                for (int c = 0; c < classes; c++) {
                    alive.add(c);
                }
                for (int r = 0; r < rs; r++) {
                    for (int c : alive) {
                        float[] e = errors(x0, ts[r], eps[r], ctx, c, m);
                        for (float err : e) {
                            errorSum[c] += err;
                        }
                        got[c] += e.length;
                        evaluations += e.length;
                    }
                    int keep = Math.min(rounds.keep().get(r), alive.size());
                    alive.sort((a, b) -> Double.compare(errorSum[a] / got[a], errorSum[b] / got[b]));
                    for (int c : alive.subList(keep, alive.size())) {
                        droppedAt[c] = r;
                    }
                    alive = new ArrayList<>(alive.subList(0, keep));
                }
                top1[i] = alive.get(0);
                for (int c = 0; c < classes; c++) {
                    scores[i][c] = (float) (-errorSum[c] / got[c] - 1e6 * (rs - droppedAt[c]));
                    if (droppedAt[c] == rs) {
                        scores[i][c] = (float) (-errorSum[c] / got[c]);
                    }
                }
            }
        }
        return new Result(top1, scores, evaluations, n);
    }

    /** Mean squared noise error per sample of one image for class c: [samples]. */
    private float[] errors(float[] x0, int[] t, float[][] eps, NDArray[] ctx, int c, NDManager m) {
        int v = x0.length;
        int s = model.imageSize();
        float[] out = new float[t.length];
        for (int start = 0; start < t.length; start += DiffusionModel.INFERENCE_BATCH) {
            int b = Math.min(DiffusionModel.INFERENCE_BATCH, t.length - start);
            float[] xt = new float[b * v];
            float[] e = new float[b * v];
            int[] tb = Arrays.copyOfRange(t, start, start + b);
            for (int j = 0; j < b; j++) {
                double ab = model.schedule().alphaBar(tb[j]);
                float sa = (float) Math.sqrt(ab);
                float sn = (float) Math.sqrt(1 - ab);
                float[] z = eps[start + j];
                System.arraycopy(z, 0, e, j * v, v);
                for (int k = 0; k < v; k++) {
                    xt[j * v + k] = sa * x0[k] + sn * z[k];
                }
            }
            try (NDScope step = new NDScope()) {
                NDArray[] rows = new NDArray[ctx.length];
                for (int k = 0; k < ctx.length; k++) {
                    rows[k] = ctx[k].get(new NDIndex("{}:{}", c, c + 1)).repeat(0, b);
                }
                NDArray pred = model.predictNoise(m.create(xt, new Shape(b, 3, s, s)), tb, rows);
                NDArray d = pred.sub(m.create(e, new Shape(b, 3, s, s)));
                float[] err = d.mul(d).reshape(b, v).mean(new int[] {1}).toFloatArray();
                System.arraycopy(err, 0, out, start, b);
            }
        }
        return out;
    }
}
