package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
    record Data(float[][] x, int[] y) {}

    /** k Gaussian blobs in dim dimensions, centres 3 apart along axes, unit noise; labels = blob. */
    static Data blobs(int n, int k, int dim, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(k);
            for (int d = 0; d < dim; d++) {
                x[i][d] = (float) (r.nextGaussian() * 0.5 + (d == y[i] ? 3 : 0));
            }
        }
        return new Data(x, y);
    }

    @Test
    void separatesGaussianBlobs() {
        Data train = blobs(600, 4, 16, 1);
        Data test = blobs(400, 4, 16, 2);
        LinearProbeResult r = LinearProbe.fit(train.x(), train.y(), test.x(), test.y(), 4,
                LinearProbe.Config.defaults());
        assertTrue(r.testAccuracy() >= 0.95, "test accuracy " + r.testAccuracy());
        assertTrue(r.trainAccuracy() >= 0.95, "train accuracy " + r.trainAccuracy());
        assertEquals(600, r.nTrain());
        assertEquals(120, r.nVal());
        assertEquals(8, r.lambdas().length);
        assertEquals(10.0, r.lambdas()[0]);
        Map<String, Object> j = r.toJson();
        for (String key : new String[] {"train_accuracy", "test_accuracy", "val_accuracy", "lambda", "n_train",
                "n_test", "n_classes", "sweep"}) {
            assertTrue(j.containsKey(key), key);
        }
    }

    @Test
    void randomLabelsAreAtChance() {
        Random r = new Random(3);
        Data train = blobs(800, 4, 16, 4);
        Data test = blobs(2000, 4, 16, 5);
        for (int i = 0; i < train.y().length; i++) {
            train.y()[i] = r.nextInt(4);
        }
        for (int i = 0; i < test.y().length; i++) {
            test.y()[i] = r.nextInt(4);
        }
        LinearProbeResult res = LinearProbe.fit(train.x(), train.y(), test.x(), test.y(), 4,
                LinearProbe.Config.defaults());
        assertEquals(0.25, res.testAccuracy(), 0.10, "test accuracy on random labels");
    }

    @Test
    void sameSeedSameModel() {
        Data train = blobs(300, 3, 8, 6);
        Data test = blobs(100, 3, 8, 7);
        LinearProbe.Config cfg = LinearProbe.Config.defaults().withLambdas(1e-3, 1e-1).withSeed(42);
        LinearProbeResult a = LinearProbe.fit(train.x(), train.y(), test.x(), test.y(), 3, cfg);
        LinearProbeResult b = LinearProbe.fit(train.x(), train.y(), test.x(), test.y(), 3, cfg);
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(a.model().weights()[c], b.model().weights()[c], 0.0);
        }
        assertArrayEquals(a.model().bias(), b.model().bias(), 0.0);
        assertEquals(a.toJson(), b.toJson());
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Data d = blobs(150, 3, 5, 8);
        LinearProbe.Objective f = new LinearProbe.Objective(d.x(), d.y(), 3, 0.3);
        Random r = new Random(9);
        double[] theta = new double[f.size()];
        for (int k = 0; k < theta.length; k++) {
            theta[k] = r.nextGaussian();
        }
        double[] g = new double[theta.length];
        f.valueAndGradient(theta, g);
        double[] scratch = new double[theta.length];
        for (int k = 0; k < theta.length; k++) {
            double h = 1e-5;
            double keep = theta[k];
            theta[k] = keep + h;
            double up = f.valueAndGradient(theta, scratch);
            theta[k] = keep - h;
            double down = f.valueAndGradient(theta, scratch);
            theta[k] = keep;
            assertEquals((up - down) / (2 * h), g[k], 1e-6, "parameter " + k);
        }
    }

    @Test
    void lbfgsReachesAStationaryPointAndTheLossIsKnownAtZero() {
        Data d = blobs(200, 3, 6, 10);
        LinearProbe.Objective f = new LinearProbe.Objective(d.x(), d.y(), 3, 0.01);
        double[] zero = new double[f.size()];
        // all logits 0: each row's loss is log(3)
        assertEquals(Math.log(3), f.valueAndGradient(zero, new double[f.size()]), 1e-12);
        LinearProbe.Model m = LinearProbe.train(d.x(), d.y(), 3, 0.01,
                LinearProbe.Config.defaults().withMaxIterations(500));
        double[] theta = new double[f.size()];
        f.pack(m, theta);
        double[] g = new double[theta.length];
        double loss = f.valueAndGradient(theta, g);
        assertEquals(m.loss(), loss, 1e-12);
        assertTrue(LinearProbe.Lbfgs.normInf(g) < 1e-4, "gradient " + LinearProbe.Lbfgs.normInf(g));
        assertTrue(loss < Math.log(3));
    }
}
