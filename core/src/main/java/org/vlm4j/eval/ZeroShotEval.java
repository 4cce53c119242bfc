package org.vlm4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;

/**
 * Zero-shot classification accuracy (OpenCLIP's {@code zero_shot_eval}): class embeddings from class names x
 * templates by {@link ZeroShotClassifier}, each image scored against every class by the model's logits, top-K
 * accuracy over labelled images.
 *
 * <p>An image's rank is {@link TieRule#rank} of (classes scoring strictly above its true class, classes tied with it),
 * {@link TieRule#PESSIMISTIC} by default, exactly as retrieval ranks (see {@link TieRule}); top-K accuracy is the share
 * of images with rank &lt;= K, so with fewer than K classes it is 1. Ranks depend only on the logits' order, so
 * softmax vs sigmoid probabilities make no difference. The confusion matrix counts (true, predicted) with predicted =
 * the true class when its rank is 1, else the best-scoring other class (lowest index among equals), so its diagonal
 * agrees with top-1.
 *
 * <p>Models that score pairs instead of embedding them ({@link ImageTextScorer}: generative classifiers, matching
 * heads) go through the same tally: a class's score is the mean of its template texts' scores ({@link #classScores}),
 * e.g. the mean log p(image | template(class)) of the early-fusion model; the argmax is Bayes' rule with a uniform
 * prior over classes.
 */
public final class ZeroShotEval {
    public static final int[] DEFAULT_KS = {1, 5};
    /** Images scored per logits call. */
    static final int CHUNK = 1024;

    private ZeroShotEval() {}

    /** Builds the classifier, embeds the image files, evaluates top-1/top-5. */
    public static ZeroShotResult evaluateFiles(ImageTextEncoder encoder, List<String> classNames, List<String> templates,
            List<Path> images, int[] labels) throws IOException {
        if (images.size() != labels.length) {
            throw new IllegalArgumentException(images.size() + " images but " + labels.length + " labels");
        }
        ZeroShotClassifier classifier = new ZeroShotClassifier(encoder, classNames, templates, false);
        return evaluate(classifier, encoder.encodeImageFiles(images), labels);
    }

    /** Builds the classifier (softmax or sigmoid does not matter for ranks) and evaluates top-1/top-5. */
    public static ZeroShotResult evaluate(ImageTextEncoder encoder, List<String> classNames, List<String> templates,
            float[][] imageEmbeds, int[] labels) {
        return evaluate(new ZeroShotClassifier(encoder, classNames, templates, false), imageEmbeds, labels);
    }

    public static ZeroShotResult evaluate(ZeroShotClassifier classifier, float[][] imageEmbeds, int[] labels) {
        return evaluate(classifier, imageEmbeds, labels, DEFAULT_KS, TieRule.PESSIMISTIC);
    }

    public static ZeroShotResult evaluate(ZeroShotClassifier classifier, float[][] imageEmbeds, int[] labels, int[] ks,
            TieRule rule) {
        if (imageEmbeds.length != labels.length) {
            throw new IllegalArgumentException(imageEmbeds.length + " image embeddings but " + labels.length
                    + " labels");
        }
        Tally tally = new Tally(classifier.labels(), ks, rule, labels.length);
        for (int from = 0; from < imageEmbeds.length; from += CHUNK) {
            int to = Math.min(imageEmbeds.length, from + CHUNK);
            float[][] part = Arrays.copyOfRange(imageEmbeds, from, to);
            float[][] logits = classifier.logits(part);
            for (int i = 0; i < logits.length; i++) {
                tally.add(from + i, logits[i], labels[from + i]);
            }
        }
        return tally.result();
    }

    /** Zero-shot top-1/top-5 of a scorer on preprocessed pixels [n, 3, h, w] with their class indices. */
    public static ZeroShotResult evaluate(ImageTextScorer scorer, List<String> classNames, List<String> templates,
            float[] pixels, int n, int height, int width, int[] labels) {
        return fromScores(classScores(scorer, classNames, templates, pixels, n, height, width), labels, classNames,
                DEFAULT_KS, TieRule.PESSIMISTIC);
    }

    /**
     * A scorer's class scores, [n][classes]: every image against every (class, template) text in one
     * {@link ImageTextScorer#score} call, then the mean over each class's templates.
     */
    public static float[][] classScores(ImageTextScorer scorer, List<String> classNames, List<String> templates,
            float[] pixels, int n, int height, int width) {
        List<String> tpl = ZeroShotClassifier.templates(templates);
        float[][] raw = scorer.score(pixels, n, height, width, ZeroShotClassifier.classTexts(classNames, tpl));
        return meanOverTemplates(raw, classNames.size(), tpl.size());
    }

    /** Rows of {@code classes * templates} text scores (class-major) -> rows of class scores (template means). */
    public static float[][] meanOverTemplates(float[][] textScores, int classes, int templates) {
        float[][] out = new float[textScores.length][classes];
        for (int i = 0; i < textScores.length; i++) {
            if (textScores[i].length != classes * templates) {
                throw new IllegalArgumentException("image " + i + " has " + textScores[i].length + " text scores, not "
                        + classes + " classes x " + templates + " templates");
            }
            for (int c = 0; c < classes; c++) {
                double sum = 0;
                for (int k = 0; k < templates; k++) {
                    sum += textScores[i][c * templates + k];
                }
                out[i][c] = (float) (sum / templates);
            }
        }
        return out;
    }

    /** From ready scores [images][classes] (higher is better), e.g. logits computed elsewhere. */
    public static ZeroShotResult fromScores(float[][] scores, int[] labels, List<String> classNames, int[] ks,
            TieRule rule) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " score rows but " + labels.length + " labels");
        }
        Tally tally = new Tally(classNames, ks, rule, labels.length);
        for (int i = 0; i < scores.length; i++) {
            tally.add(i, scores[i], labels[i]);
        }
        return tally.result();
    }

    private static final class Tally {
        final List<String> names;
        final int[] ks;
        final TieRule rule;
        final int c;
        final int[] ranks;
        final int[] perClassCount;
        final int[] perClassHit;
        final int[][] confusion;
        int tied;

        Tally(List<String> names, int[] ks, TieRule rule, int n) {
            if (n == 0) {
                throw new IllegalArgumentException("no images to evaluate");
            }
            this.names = List.copyOf(names);
            this.ks = RetrievalEval.checkKs(ks);
            this.rule = rule;
            this.c = names.size();
            this.ranks = new int[n];
            this.perClassCount = new int[c];
            this.perClassHit = new int[c];
            this.confusion = new int[c][c];
        }

        void add(int i, float[] row, int y) {
            if (row.length != c) {
                throw new IllegalArgumentException("image " + i + " has " + row.length + " scores for " + c
                        + " classes");
            }
            if (y < 0 || y >= c) {
                throw new IllegalArgumentException("image " + i + " has label " + y + ", but there are " + c
                        + " classes");
            }
            float s = row[y];
            int above = 0;
            int eq = 0;
            int best = -1;
            for (int k = 0; k < c; k++) {
                float v = row[k];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("image " + i + " has a non-finite score (" + v + ")");
                }
                if (k == y) {
                    continue;
                }
                if (v > s) {
                    above++;
                } else if (v == s) {
                    eq++;
                }
                if (best < 0 || v > row[best]) {
                    best = k;
                }
            }
            int r = rule.rank(above, eq);
            ranks[i] = r;
            if (eq > 0) {
                tied++;
            }
            perClassCount[y]++;
            int predicted = r == 1 ? y : best;
            confusion[y][predicted]++;
            if (r == 1) {
                perClassHit[y]++;
            }
        }

        ZeroShotResult result() {
            int n = ranks.length;
            double[] acc = new double[ks.length];
            for (int j = 0; j < ks.length; j++) {
                int hit = 0;
                for (int r : ranks) {
                    if (r <= ks[j]) {
                        hit++;
                    }
                }
                acc[j] = (double) hit / n;
            }
            double[] perClass = new double[c];
            for (int k = 0; k < c; k++) {
                perClass[k] = perClassCount[k] == 0 ? Double.NaN : (double) perClassHit[k] / perClassCount[k];
            }
            return new ZeroShotResult(n, ks.clone(), acc, names, perClass, perClassCount, confusion, ranks, tied, rule);
        }
    }
}
