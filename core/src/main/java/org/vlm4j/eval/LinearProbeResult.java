package org.vlm4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link LinearProbe} measured.
 *
 * @param trainAccuracy of the final model on the rows it was fitted on (train + validation)
 * @param testAccuracy NaN when there is no test set
 * @param valAccuracy at the chosen lambda; NaN when a single lambda skipped the sweep
 * @param lambda the chosen L2 strength
 * @param lambdas the strengths tried, in sweep order (strongest first)
 * @param valAccuracies validation accuracy per tried strength
 * @param nTrain rows of the final fit (train + validation)
 * @param nVal validation rows used to choose lambda
 */
public record LinearProbeResult(double trainAccuracy, double testAccuracy, double valAccuracy, double lambda,
        double[] lambdas, double[] valAccuracies, int nTrain, int nVal, int nTest, int numClasses,
        LinearProbe.Model model) {

    /**
     * {@code train_accuracy}, {@code test_accuracy}, {@code val_accuracy}, {@code lambda}, {@code n_train},
     * {@code n_val}, {@code n_test}, {@code n_classes}, {@code iterations}, {@code sweep} (a list of
     * {@code {lambda, val_accuracy}}); NaN is written as null.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_accuracy", orNull(trainAccuracy));
        m.put("test_accuracy", orNull(testAccuracy));
        m.put("val_accuracy", orNull(valAccuracy));
        m.put("lambda", lambda);
        m.put("n_train", nTrain);
        m.put("n_val", nVal);
        m.put("n_test", nTest);
        m.put("n_classes", numClasses);
        m.put("iterations", model.iterations());
        List<Map<String, Object>> sweep = new ArrayList<>();
        for (int i = 0; i < lambdas.length && i < valAccuracies.length; i++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("lambda", lambdas[i]);
            s.put("val_accuracy", orNull(valAccuracies[i]));
            sweep.add(s);
        }
        m.put("sweep", sweep);
        return m;
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
