package org.vlm4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.vlm4j.model.ImageTextEncoder;

/**
 * Linear probe (CLIP paper, section 3.2): multinomial logistic regression on frozen image embeddings, the L2
 * strength chosen on a validation split, then refitted on train + validation and scored on the test set.
 *
 * <p>Objective: {@code (1/N) sum_n [logsumexp(W x_n + b) - (W x_n + b)_{y_n}] + (lambda/2) ||W||^2}, the bias not
 * regularised; lambda = 1 / (C N) in scikit-learn's terms (CLIP swept C with scikit-learn's L-BFGS). Minimised by
 * L-BFGS (history 10, Armijo backtracking) in plain Java, in double precision, from zero weights; the lambda sweep
 * runs from the largest value down, each fit warm-started from the previous one. The validation split is a shuffle
 * with {@link java.util.Random}(seed); the loss and gradient are summed over a fixed partition of the rows in a fixed
 * order, and exp/log are {@link StrictMath}'s, so the result is a function of the inputs and the seed only (not of
 * the thread count). Predictions are the argmax of the logits, the lowest class index among equals.
 */
public final class LinearProbe {
    private LinearProbe() {}

    /**
     * @param lambdas L2 strengths to sweep; a single value skips the validation split
     * @param valFraction share of the training rows held out to choose lambda when no validation set is given
     * @param maxIterations L-BFGS iterations per fit
     * @param gradientTolerance stop when the largest gradient component is at most this
     * @param lossTolerance stop when the loss falls by at most this relative amount in one iteration
     * @param seed for the validation split
     */
    public record Config(double[] lambdas, double valFraction, int maxIterations, double gradientTolerance,
            double lossTolerance, long seed) {
        public Config {
            if (lambdas == null || lambdas.length == 0) {
                throw new IllegalArgumentException("no regularisation strengths given");
            }
            for (double l : lambdas) {
                if (!(l >= 0) || Double.isInfinite(l)) {
                    throw new IllegalArgumentException("regularisation strength must be finite and >= 0, got " + l);
                }
            }
            if (!(valFraction > 0 && valFraction < 1)) {
                throw new IllegalArgumentException("valFraction must be in (0, 1), got " + valFraction);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1");
            }
            lambdas = lambdas.clone();
        }

        /** lambda in 1e-6, 1e-5, ..., 10 (8 values), 20% validation, 1000 iterations, seed 0. */
        public static Config defaults() {
            double[] l = new double[8];
            for (int i = 0; i < l.length; i++) {
                l[i] = Math.pow(10, i - 6);
            }
            return new Config(l, 0.2, 1000, 1e-5, 1e-10, 0);
        }

        public Config withLambdas(double... values) {
            return new Config(values, valFraction, maxIterations, gradientTolerance, lossTolerance, seed);
        }

        public Config withSeed(long value) {
            return new Config(lambdas, valFraction, maxIterations, gradientTolerance, lossTolerance, value);
        }

        public Config withMaxIterations(int value) {
            return new Config(lambdas, valFraction, value, gradientTolerance, lossTolerance, seed);
        }
    }

    /** A fitted classifier: logits = weights x + bias. */
    public record Model(double[][] weights, double[] bias, double lambda, int iterations, double loss) {
        public int numClasses() {
            return bias.length;
        }

        public int dim() {
            return weights[0].length;
        }

        public double[] logits(float[] x) {
            double[] z = new double[bias.length];
            for (int c = 0; c < z.length; c++) {
                double s = bias[c];
                double[] w = weights[c];
                for (int d = 0; d < w.length; d++) {
                    s += w[d] * x[d];
                }
                z[c] = s;
            }
            return z;
        }

        public int predict(float[] x) {
            double[] z = logits(x);
            int best = 0;
            for (int c = 1; c < z.length; c++) {
                if (z[c] > z[best]) {
                    best = c;
                }
            }
            return best;
        }

        public double accuracy(float[][] x, int[] y) {
            if (x.length == 0) {
                return Double.NaN;
            }
            int hit = 0;
            for (int i = 0; i < x.length; i++) {
                if (predict(x[i]) == y[i]) {
                    hit++;
                }
            }
            return (double) hit / x.length;
        }
    }

    /** Embeds the image files with the encoder, then {@link #fit(float[][], int[], float[][], int[], int, Config)}. */
    public static LinearProbeResult fit(ImageTextEncoder encoder, List<Path> trainImages, int[] trainY,
            List<Path> testImages, int[] testY, int numClasses, Config config) throws IOException {
        return fit(encoder.encodeImageFiles(trainImages), trainY, encoder.encodeImageFiles(testImages), testY,
                numClasses, config);
    }

    /** Holds out {@code config.valFraction()} of the training rows (seeded shuffle) to choose lambda. */
    public static LinearProbeResult fit(float[][] trainX, int[] trainY, float[][] testX, int[] testY, int numClasses,
            Config config) {
        int dim = check(trainX, trainY, numClasses, "train", -1);
        check(testX, testY, numClasses, "test", dim);
        int n = trainX.length;
        if (config.lambdas().length == 1) {
            return fitSelected(trainX, trainY, testX, testY, numClasses, config, config.lambdas()[0], null,
                    new double[] {Double.NaN}, 0);
        }
        if (n < 2) {
            throw new IllegalArgumentException("a lambda sweep needs at least 2 training rows, got " + n);
        }
        int[] order = IntStream.range(0, n).toArray();
        Random rnd = new Random(config.seed());
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nVal = (int) Math.max(1, Math.min(n - 1, Math.round(config.valFraction() * n)));
        float[][] vx = new float[nVal][];
        int[] vy = new int[nVal];
        float[][] tx = new float[n - nVal][];
        int[] ty = new int[n - nVal];
        for (int i = 0; i < n; i++) {
            int r = order[i];
            if (i < nVal) {
                vx[i] = trainX[r];
                vy[i] = trainY[r];
            } else {
                tx[i - nVal] = trainX[r];
                ty[i - nVal] = trainY[r];
            }
        }
        return sweep(tx, ty, vx, vy, testX, testY, numClasses, config);
    }

    /** With an explicit validation set; the final model is refitted on train + validation. */
    public static LinearProbeResult fit(float[][] trainX, int[] trainY, float[][] valX, int[] valY, float[][] testX,
            int[] testY, int numClasses, Config config) {
        int dim = check(trainX, trainY, numClasses, "train", -1);
        check(valX, valY, numClasses, "validation", dim);
        check(testX, testY, numClasses, "test", dim);
        if (valX.length == 0) {
            throw new IllegalArgumentException("the validation set is empty");
        }
        return sweep(trainX, trainY, valX, valY, testX, testY, numClasses, config);
    }

    private static LinearProbeResult sweep(float[][] tx, int[] ty, float[][] vx, int[] vy, float[][] testX,
            int[] testY, int numClasses, Config config) {
        double[] lambdas = config.lambdas().clone();
        Arrays.sort(lambdas);
        reverse(lambdas); // strongest first: each fit warm-starts the next, weaker one
        double[] valAcc = new double[lambdas.length];
        Model start = null;
        Model best = null;
        double bestAcc = -1;
        for (int i = 0; i < lambdas.length; i++) {
            Model m = train(tx, ty, numClasses, lambdas[i], config, start);
            valAcc[i] = m.accuracy(vx, vy);
            if (valAcc[i] > bestAcc) { // ties keep the stronger regularisation
                bestAcc = valAcc[i];
                best = m;
            }
            start = m;
        }
        float[][] allX = concat(tx, vx);
        int[] allY = concat(ty, vy);
        LinearProbeResult r = fitSelected(allX, allY, testX, testY, numClasses, config, best.lambda(), best,
                valAcc, vx.length);
        return new LinearProbeResult(r.trainAccuracy(), r.testAccuracy(), bestAcc, r.lambda(), lambdas, valAcc,
                allX.length, vx.length, testX.length, numClasses, r.model());
    }

    private static LinearProbeResult fitSelected(float[][] x, int[] y, float[][] testX, int[] testY, int numClasses,
            Config config, double lambda, Model start, double[] valAcc, int nVal) {
        Model m = train(x, y, numClasses, lambda, config, start);
        return new LinearProbeResult(m.accuracy(x, y), m.accuracy(testX, testY), Double.NaN, lambda,
                new double[] {lambda}, valAcc, x.length, nVal, testX.length, numClasses, m);
    }

    /** One fit at a fixed lambda, from zero weights. */
    public static Model train(float[][] x, int[] y, int numClasses, double lambda, Config config) {
        check(x, y, numClasses, "train", -1);
        return train(x, y, numClasses, lambda, config, null);
    }

    static Model train(float[][] x, int[] y, int numClasses, double lambda, Config config, Model start) {
        Objective f = new Objective(x, y, numClasses, lambda);
        double[] theta = new double[f.size()];
        if (start != null) {
            f.pack(start, theta);
        }
        Lbfgs.Outcome o = Lbfgs.minimize(f, theta, config.maxIterations(), config.gradientTolerance(),
                config.lossTolerance());
        return f.unpack(theta, o.iterations(), o.loss());
    }

    /** Mean softmax cross-entropy + (lambda/2)||W||^2 over parameters [W (C x D, row-major), b (C)]. */
    static final class Objective implements Lbfgs.Function {
        /** Rows per partition, at most this many partitions: fixed by N alone, so sums do not depend on threads. */
        private static final int MAX_PARTS = 16;
        private static final int MIN_ROWS_PER_PART = 64;

        final float[][] x;
        final int[] y;
        final int c;
        final int d;
        final double lambda;
        private final int parts;
        private final double[][] partGrad;
        private final double[] partLoss;

        Objective(float[][] x, int[] y, int numClasses, double lambda) {
            this.x = x;
            this.y = y;
            this.c = numClasses;
            this.d = x[0].length;
            this.lambda = lambda;
            this.parts = Math.max(1, Math.min(MAX_PARTS, x.length / MIN_ROWS_PER_PART));
            this.partGrad = new double[parts][size()];
            this.partLoss = new double[parts];
        }

        int size() {
            return c * d + c;
        }

        @Override
        public double valueAndGradient(double[] theta, double[] grad) {
            int n = x.length;
            IntStream.range(0, parts).parallel().forEach(p -> {
                double[] g = partGrad[p];
                Arrays.fill(g, 0);
                double loss = 0;
                double[] z = new double[c];
                int from = (int) ((long) n * p / parts);
                int to = (int) ((long) n * (p + 1) / parts);
                int bias = c * d;
                for (int i = from; i < to; i++) {
                    float[] xi = x[i];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < c; k++) {
                        double s = theta[bias + k];
                        int off = k * d;
                        for (int j = 0; j < d; j++) {
                            s += theta[off + j] * xi[j];
                        }
                        z[k] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += StrictMath.exp(z[k] - max);
                    }
                    double lse = max + StrictMath.log(sum);
                    loss += lse - z[y[i]];
                    for (int k = 0; k < c; k++) {
                        double r = StrictMath.exp(z[k] - lse) - (k == y[i] ? 1 : 0);
                        int off = k * d;
                        for (int j = 0; j < d; j++) {
                            g[off + j] += r * xi[j];
                        }
                        g[bias + k] += r;
                    }
                }
                partLoss[p] = loss;
            });
            double loss = 0;
            Arrays.fill(grad, 0);
            for (int p = 0; p < parts; p++) {
                loss += partLoss[p];
                double[] g = partGrad[p];
                for (int k = 0; k < grad.length; k++) {
                    grad[k] += g[k];
                }
            }
            double inv = 1.0 / n;
            loss *= inv;
            double reg = 0;
            int w = c * d;
            for (int k = 0; k < grad.length; k++) {
                grad[k] *= inv;
                if (k < w) {
                    reg += theta[k] * theta[k];
                    grad[k] += lambda * theta[k];
                }
            }
            return loss + 0.5 * lambda * reg;
        }

        void pack(Model m, double[] theta) {
            for (int k = 0; k < c; k++) {
                System.arraycopy(m.weights()[k], 0, theta, k * d, d);
            }
            System.arraycopy(m.bias(), 0, theta, c * d, c);
        }

        Model unpack(double[] theta, int iterations, double loss) {
            double[][] w = new double[c][];
            for (int k = 0; k < c; k++) {
                w[k] = Arrays.copyOfRange(theta, k * d, (k + 1) * d);
            }
            return new Model(w, Arrays.copyOfRange(theta, c * d, c * d + c), lambda, iterations, loss);
        }
    }

    /** Limited-memory BFGS (Nocedal and Wright, algorithm 7.4) with Armijo backtracking. */
    static final class Lbfgs {
        interface Function {
            /** Returns f(theta) and writes its gradient. */
            double valueAndGradient(double[] theta, double[] grad);
        }

        record Outcome(int iterations, double loss, double gradientNorm) {}

        static final int HISTORY = 10;

        static Outcome minimize(Function f, double[] theta, int maxIterations, double gtol, double ftol) {
            int n = theta.length;
            double[] g = new double[n];
            double fx = f.valueAndGradient(theta, g);
            List<double[]> ss = new ArrayList<>();
            List<double[]> ys = new ArrayList<>();
            List<Double> rhos = new ArrayList<>();
            double[] dir = new double[n];
            double[] next = new double[n];
            double[] gNext = new double[n];
            int iter = 0;
            while (iter < maxIterations && normInf(g) > gtol) {
                iter++;
                direction(g, ss, ys, rhos, dir);
                double gd = dot(g, dir);
                if (!(gd < 0)) { // not a descent direction: restart from steepest descent
                    ss.clear();
                    ys.clear();
                    rhos.clear();
                    for (int k = 0; k < n; k++) {
                        dir[k] = -g[k];
                    }
                    gd = dot(g, dir);
                }
                double step = ss.isEmpty() ? Math.min(1, 1 / Math.sqrt(-gd)) : 1;
                double fNext = Double.NaN;
                boolean accepted = false;
                for (int tries = 0; tries < 60; tries++) {
                    for (int k = 0; k < n; k++) {
                        next[k] = theta[k] + step * dir[k];
                    }
                    fNext = f.valueAndGradient(next, gNext);
                    if (fNext <= fx + 1e-4 * step * gd) {
                        accepted = true;
                        break;
                    }
                    step *= 0.5;
                }
                if (!accepted) {
                    break; // no decrease within float precision: as good as it gets
                }
                double[] s = new double[n];
                double[] yv = new double[n];
                for (int k = 0; k < n; k++) {
                    s[k] = next[k] - theta[k];
                    yv[k] = gNext[k] - g[k];
                }
                double sy = dot(s, yv);
                if (sy > 1e-12 * dot(yv, yv)) {
                    if (ss.size() == HISTORY) {
                        ss.remove(0);
                        ys.remove(0);
                        rhos.remove(0);
                    }
                    ss.add(s);
                    ys.add(yv);
                    rhos.add(1 / sy);
                }
                double fPrev = fx;
                System.arraycopy(next, 0, theta, 0, n);
                System.arraycopy(gNext, 0, g, 0, n);
                fx = fNext;
                if (fPrev - fx <= ftol * Math.max(1, Math.max(Math.abs(fPrev), Math.abs(fx)))) {
                    break;
                }
            }
            return new Outcome(iter, fx, normInf(g));
        }

        /** Two-loop recursion: dir = -H g. */
        private static void direction(double[] g, List<double[]> ss, List<double[]> ys, List<Double> rhos,
                double[] dir) {
            int m = ss.size();
            int n = g.length;
            System.arraycopy(g, 0, dir, 0, n);
            double[] alpha = new double[m];
            for (int i = m - 1; i >= 0; i--) {
                alpha[i] = rhos.get(i) * dot(ss.get(i), dir);
                axpy(-alpha[i], ys.get(i), dir);
            }
            if (m > 0) {
                double[] y = ys.get(m - 1);
                double gamma = dot(ss.get(m - 1), y) / dot(y, y);
                for (int k = 0; k < n; k++) {
                    dir[k] *= gamma;
                }
            }
            for (int i = 0; i < m; i++) {
                double beta = rhos.get(i) * dot(ys.get(i), dir);
                axpy(alpha[i] - beta, ss.get(i), dir);
            }
            for (int k = 0; k < n; k++) {
                dir[k] = -dir[k];
            }
        }

        private static void axpy(double a, double[] x, double[] y) {
            for (int k = 0; k < y.length; k++) {
                y[k] += a * x[k];
            }
        }

        static double dot(double[] a, double[] b) {
            double s = 0;
            for (int k = 0; k < a.length; k++) {
                s += a[k] * b[k];
            }
            return s;
        }

        static double normInf(double[] a) {
            double m = 0;
            for (double v : a) {
                m = Math.max(m, Math.abs(v));
            }
            return m;
        }
    }

    /** Rows of one width, labels in range; returns the width. */
    private static int check(float[][] x, int[] y, int numClasses, String what, int dim) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a linear probe needs at least 2 classes, got " + numClasses);
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException(what + ": " + x.length + " rows but " + y.length + " labels");
        }
        if (x.length == 0 && dim < 0) {
            throw new IllegalArgumentException(what + ": no rows");
        }
        int width = dim >= 0 ? dim : x[0].length;
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != width) {
                throw new IllegalArgumentException(what + " row " + i + " has " + x[i].length + " values, expected "
                        + width);
            }
            for (float v : x[i]) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(what + " row " + i + " has a non-finite value (" + v + ")");
                }
            }
            if (y[i] < 0 || y[i] >= numClasses) {
                throw new IllegalArgumentException(what + " row " + i + " has label " + y[i] + ", but there are "
                        + numClasses + " classes");
            }
        }
        return width;
    }

    private static void reverse(double[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static float[][] concat(float[][] a, float[][] b) {
        float[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
