package org.vlm4j.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link ZeroShotEval} measured: top-K accuracy over {@code n} images ({@link #top1()}, {@link #top5()}), per
 * class, and the confusion matrix.
 *
 * @param accuracy top-K accuracy for each of {@code ks}
 * @param perClassAccuracy top-1 accuracy of each class over its images, NaN for a class with none
 * @param perClassCount images per true class
 * @param confusion [true][predicted] counts
 * @param ranks 1-based rank of the true class per image
 * @param tiedImages images whose true class tied with another class
 */
public record ZeroShotResult(int n, int[] ks, double[] accuracy, List<String> classNames, double[] perClassAccuracy,
        int[] perClassCount, int[][] confusion, int[] ranks, int tiedImages, TieRule tieRule) {
    public double top1() {
        return accuracyAt(1);
    }

    public double top5() {
        return accuracyAt(5);
    }

    public double accuracyAt(int k) {
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                return accuracy[i];
            }
        }
        throw new IllegalArgumentException("top-" + k + " was not computed; ks = " + Arrays.toString(ks));
    }

    /** Mean of the per-class accuracies over classes that have images ("mean per-class recall"). */
    public double meanPerClassAccuracy() {
        double sum = 0;
        int m = 0;
        for (double a : perClassAccuracy) {
            if (!Double.isNaN(a)) {
                sum += a;
                m++;
            }
        }
        return m == 0 ? Double.NaN : sum / m;
    }

    /** {@link #toJson(boolean)} without the confusion matrix. */
    public Map<String, Object> toJson() {
        return toJson(false);
    }

    /**
     * {@code top1}, {@code top5} (every computed K as {@code topK}), {@code n}, {@code n_classes},
     * {@code mean_per_class_accuracy}, {@code per_class_accuracy} (class name to accuracy, null for a class with
     * no images), {@code tied_images}, {@code tie_rule}, and {@code confusion} ([true][predicted], rows in class
     * order) when asked.
     */
    public Map<String, Object> toJson(boolean withConfusion) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < ks.length; i++) {
            m.put("top" + ks[i], accuracy[i]);
        }
        m.put("n", n);
        m.put("n_classes", classNames.size());
        double mpc = meanPerClassAccuracy();
        m.put("mean_per_class_accuracy", Double.isNaN(mpc) ? null : mpc);
        Map<String, Object> pc = new LinkedHashMap<>();
        for (int c = 0; c < classNames.size(); c++) {
            pc.put(classNames.get(c), Double.isNaN(perClassAccuracy[c]) ? null : perClassAccuracy[c]);
        }
        m.put("per_class_accuracy", pc);
        m.put("tied_images", tiedImages);
        m.put("tie_rule", tieRule.name().toLowerCase(Locale.ROOT));
        if (withConfusion) {
            m.put("confusion", confusion);
        }
        return m;
    }
}
