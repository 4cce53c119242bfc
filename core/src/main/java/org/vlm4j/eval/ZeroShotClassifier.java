package org.vlm4j.eval;

import java.util.ArrayList;
import java.util.List;
import org.vlm4j.model.ImageTextEncoder;

/**
 * Zero-shot classification as CLIP does it: each class is the mean of its normalised template embeddings
 * ("a photo of a {}."), normalised again; an image's logits are the model's logits against these class embeddings.
 * Probabilities are a softmax over classes, or independent sigmoids for sigmoid-loss models.
 */
public final class ZeroShotClassifier {
    public static final String DEFAULT_TEMPLATE = "a photo of a {}.";

    public record Prediction(String label, int index, float probability) {}

    /** Texts per encodeTexts call while building the class embeddings. */
    static final int TEXTS_PER_CALL = 1024;

    private final ImageTextEncoder encoder;
    private final List<String> labels;
    private final float[][] classEmbeds;
    private final boolean sigmoid;

    public ZeroShotClassifier(ImageTextEncoder encoder, List<String> labels, List<String> templates, boolean sigmoid) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no labels given");
        }
        List<String> tpl = templates(templates);
        this.encoder = encoder;
        this.labels = List.copyOf(labels);
        this.sigmoid = sigmoid;
        int nt = tpl.size();
        int classesPerCall = Math.max(1, TEXTS_PER_CALL / nt);
        classEmbeds = new float[labels.size()][];
        for (int c0 = 0; c0 < labels.size(); c0 += classesPerCall) { // bounded memory for 1000 classes x 80 templates
            int c1 = Math.min(labels.size(), c0 + classesPerCall);
            List<String> texts = new ArrayList<>();
            for (String label : labels.subList(c0, c1)) {
                for (String t : tpl) {
                    texts.add(t.replace("{}", label));
                }
            }
            float[][] all = encoder.encodeTexts(texts);
            for (int c = c0; c < c1; c++) {
                float[] mean = new float[all[0].length];
                for (int k = 0; k < nt; k++) {
                    float[] e = all[(c - c0) * nt + k];
                    for (int d = 0; d < mean.length; d++) {
                        mean[d] += e[d];
                    }
                }
                classEmbeds[c] = normalize(mean);
            }
        }
    }

    /** The templates to use (the default when none), each checked for its {@code {}} placeholder. */
    static List<String> templates(List<String> templates) {
        List<String> tpl = templates == null || templates.isEmpty() ? List.of(DEFAULT_TEMPLATE) : templates;
        for (String t : tpl) {
            if (!t.contains("{}")) {
                throw new IllegalArgumentException("template '" + t + "' has no {} placeholder for the label");
            }
        }
        return tpl;
    }

    /** Every class in every template, class-major: text {@code c * templates + k} is template k of class c. */
    static List<String> classTexts(List<String> labels, List<String> templates) {
        List<String> texts = new ArrayList<>();
        for (String label : labels) {
            for (String t : templates) {
                texts.add(t.replace("{}", label));
            }
        }
        return texts;
    }

    static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float inv = (float) (1 / Math.sqrt(n));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    public List<String> labels() {
        return labels;
    }

    public ImageTextEncoder encoder() {
        return encoder;
    }

    public int numClasses() {
        return classEmbeds.length;
    }

    /** The class embeddings (template mean, normalised), [classes][embedDim]; a copy. */
    public float[][] classEmbeddings() {
        float[][] out = new float[classEmbeds.length][];
        for (int c = 0; c < out.length; c++) {
            out[c] = classEmbeds[c].clone();
        }
        return out;
    }

    /** The model's logits of each image embedding against each class, [images][classes]. */
    public float[][] logits(float[][] imageEmbeds) {
        return encoder.logits(imageEmbeds, classEmbeds);
    }

    /** Class probabilities for each image embedding, [images][classes]. */
    public float[][] probabilities(float[][] imageEmbeds) {
        float[][] logits = logits(imageEmbeds);
        for (float[] row : logits) {
            if (sigmoid) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = (float) (1 / (1 + Math.exp(-row[c])));
                }
            } else {
                float max = Float.NEGATIVE_INFINITY;
                for (float x : row) {
                    max = Math.max(max, x);
                }
                double sum = 0;
                for (int c = 0; c < row.length; c++) {
                    row[c] = (float) Math.exp(row[c] - max);
                    sum += row[c];
                }
                for (int c = 0; c < row.length; c++) {
                    row[c] /= (float) sum;
                }
            }
        }
        return logits;
    }

    /** The k most probable labels per image, best first. */
    public List<List<Prediction>> topK(float[][] imageEmbeds, int k) {
        List<List<Prediction>> out = new ArrayList<>();
        for (float[] row : probabilities(imageEmbeds)) {
            List<Prediction> p = new ArrayList<>();
            for (int c = 0; c < row.length; c++) {
                p.add(new Prediction(labels.get(c), c, row[c]));
            }
            p.sort((a, b) -> Float.compare(b.probability(), a.probability()));
            out.add(List.copyOf(p.subList(0, Math.min(k, p.size()))));
        }
        return out;
    }
}
