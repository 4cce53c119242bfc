package org.vlm4j.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;

/**
 * The evaluation protocols over data specs: each one encodes the dataset once ({@link EncodedDataset}) and hands
 * the embeddings to the protocol's one evaluator ({@link ZeroShotEval}, {@link RetrievalEval}, {@link LinearProbe}).
 */
public final class DatasetEvals {
    private static final Pattern FIELD = Pattern.compile("\\{([^{}]+)}");

    private DatasetEvals() {}

    /** How an entry's class name is read: from its caption and metadata. */
    @FunctionalInterface
    public interface Labeler extends BiFunction<String, Map<String, String>, String> {}

    /** The caption is the class name (class folders: the folder name). */
    public static final Labeler CAPTION = (caption, meta) -> caption;

    /**
     * A label from a format such as {@code "{color} {shape}"}: each {@code {field}} is replaced by that metadata
     * column ({@code {text}} or {@code {caption}}: the caption). A missing or empty field is an error naming it.
     */
    public static Labeler format(String format) {
        if (!FIELD.matcher(format).find()) {
            throw new IllegalArgumentException("label format '" + format + "' names no {field}");
        }
        return (caption, meta) -> {
            Matcher m = FIELD.matcher(format);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String f = m.group(1);
                String v = f.equals("text") || f.equals("caption") ? caption : meta.get(f);
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("entry '" + meta.getOrDefault("__key__", "?")
                            + "' has no value for the label field '" + f + "'");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            return sb.toString();
        };
    }

    /** The labels of an encoded dataset, in its order. */
    public static List<String> labels(EncodedDataset d, Labeler labeler) {
        List<String> out = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) {
            out.add(labeler.apply(d.captions().get(i), d.meta().get(i)));
        }
        return out;
    }

    /** The class list when none is given: a folder's classes, else the distinct labels sorted. */
    public static List<String> classNames(ImageTextDataset data, List<String> labels) {
        if (data.kind() == ImageTextDataset.Kind.FOLDER) {
            return data.classNames().stream().map(c -> c.replace('_', ' ').strip()).toList(); // as the captions
        }
        return List.copyOf(new TreeSet<>(labels));
    }

    /** Indices of the labels in {@code classNames}; a label outside it is an error naming it. */
    public static int[] indices(String spec, List<String> labels, List<String> classNames) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            index.putIfAbsent(classNames.get(i), i);
        }
        int[] y = new int[labels.size()];
        for (int i = 0; i < y.length; i++) {
            Integer k = index.get(labels.get(i));
            if (k == null) {
                throw new IllegalArgumentException(spec + ": class '" + labels.get(i) + "' is not among the "
                        + classNames.size() + " class names");
            }
            y[i] = k;
        }
        return y;
    }

    /** Zero-shot top-1/top-5 with pessimistic ties. */
    public static ZeroShotResult zeroShot(ImageTextEncoder encoder, ImageTextDataset data, List<String> classNames,
            List<String> templates, Labeler labeler) throws IOException, InterruptedException {
        EncodedDataset d = EncodedDataset.encode(encoder, data);
        return zeroShot(encoder, d, data.spec(), classNames, templates, labeler, ZeroShotEval.DEFAULT_KS,
                TieRule.PESSIMISTIC);
    }

    public static ZeroShotResult zeroShot(ImageTextEncoder encoder, EncodedDataset d, String spec,
            List<String> classNames, List<String> templates, Labeler labeler, int[] ks, TieRule rule) {
        int[] y = indices(spec, labels(d, labeler), classNames);
        ZeroShotClassifier zs = new ZeroShotClassifier(encoder, classNames, templates, false);
        return ZeroShotEval.evaluate(zs, d.imageEmbeds(), y, ks, rule);
    }

    /**
     * Zero-shot with a model that scores pairs (a generative classifier): every image scored against every class x
     * template text in one pass over the data, template means per class, then {@link ZeroShotEval}'s tally. The
     * returned dataset's rows are those class scores; {@code result} the accuracy.
     */
    public record ScoredZeroShot(ZeroShotResult result, EncodedDataset scores) {}

    public static ScoredZeroShot zeroShot(ImageTextScorer scorer, ImageTextDataset data, List<String> classNames,
            List<String> templates, Labeler labeler, int[] ks, TieRule rule) throws IOException, InterruptedException {
        List<String> tpl = ZeroShotClassifier.templates(templates);
        EncodedDataset raw = EncodedDataset.score(scorer, data, ZeroShotClassifier.classTexts(classNames, tpl));
        EncodedDataset d = new EncodedDataset(ZeroShotEval.meanOverTemplates(raw.imageEmbeds(), classNames.size(),
                tpl.size()), raw.captions(), raw.meta(), raw.skipped());
        int[] y = indices(data.spec(), labels(d, labeler), classNames);
        return new ScoredZeroShot(ZeroShotEval.fromScores(d.imageEmbeds(), y, classNames, ks, rule), d);
    }

    /**
     * Retrieval over a dataset's pairs: entries with the same key (the same image path, or shard key) are one image
     * with several captions, and identical caption strings are one item ({@link RetrievalEval#captionGroups}: no text
     * encoder can rank a string above itself, so a caption repeated across images must not count as a miss).
     */
    public static RetrievalResult retrieval(ImageTextEncoder encoder, ImageTextDataset data, int[] ks, TieRule rule)
            throws IOException, InterruptedException {
        return retrieval(encoder, EncodedDataset.encode(encoder, data), ks, rule);
    }

    public static RetrievalResult retrieval(ImageTextEncoder encoder, EncodedDataset d, int[] ks, TieRule rule) {
        ImagesOfPairs g = ImagesOfPairs.of(d);
        Map<String, Integer> images = g.index();
        List<float[]> imageRows = g.rows();
        int[] textToImage = g.textToImage();
        float[][] text = encoder.encodeTexts(d.captions());
        return RetrievalEval.evaluate(imageRows.toArray(new float[0][]), text, textToImage,
                RetrievalEval.captionGroups(d.captions()), ks, rule);
    }

    /**
     * Retrieval reranked by a pair scorer ({@link RerankedRetrievalEval}): {@code firstStage} embeds the dataset and
     * shortlists the top K candidates of every query by cosine similarity, {@code scorer} reorders each shortlist
     * (each model preprocesses the images its own way). Images are grouped by key as in {@link #retrieval}.
     */
    public static RerankedRetrievalEval.Result rerankedRetrieval(ImageTextEncoder firstStage, ImageTextScorer scorer,
            ImageTextDataset data, int topK, int[] ks, TieRule rule) throws IOException, InterruptedException {
        EncodedDataset d = EncodedDataset.encode(firstStage, data);
        ImagesOfPairs g = ImagesOfPairs.of(d);
        Map<String, Integer> images = g.index();
        List<float[]> imageRows = g.rows();
        int[] textToImage = g.textToImage();
        float[][] text = firstStage.encodeTexts(d.captions());
        float[][] first = new float[imageRows.size()][text.length];
        for (int i = 0; i < first.length; i++) {
            for (int t = 0; t < text.length; t++) {
                first[i][t] = RetrievalEval.dot(imageRows.get(i), text[t]);
            }
        }
        ScorerPixels px = ScorerPixels.read(scorer, data, images);
        List<String> captions = d.captions();
        RerankedRetrievalEval.Reranker reranker = new RerankedRetrievalEval.Reranker() {
            @Override
            public float[] imageWithTexts(int image, int[] texts) {
                List<String> ts = new ArrayList<>(texts.length);
                for (int t : texts) {
                    ts.add(captions.get(t));
                }
                return scorer.score(px.of(new int[] {image}), 1, px.height(), px.width(), ts)[0];
            }

            @Override
            public float[] textWithImages(int text, int[] imgs) {
                float[][] s = scorer.score(px.of(imgs), imgs.length, px.height(), px.width(),
                        List.of(captions.get(text)));
                float[] out = new float[imgs.length];
                for (int k = 0; k < imgs.length; k++) {
                    out[k] = s[k][0];
                }
                return out;
            }
        };
        return RerankedRetrievalEval.evaluate(first, textToImage, topK, reranker, ks, rule);
    }

    /**
     * A dataset's pairs as retrieval sees them: entries with the same key are one image (first-seen order), with
     * its embedding row and the image each entry's caption belongs to.
     */
    record ImagesOfPairs(Map<String, Integer> index, List<float[]> rows, int[] textToImage) {
        static ImagesOfPairs of(EncodedDataset d) {
            Map<String, Integer> images = new LinkedHashMap<>();
            List<float[]> imageRows = new ArrayList<>();
            int[] textToImage = new int[d.size()];
            for (int i = 0; i < d.size(); i++) {
                Integer k = images.get(d.key(i));
                if (k == null) {
                    k = images.size();
                    images.put(d.key(i), k);
                    imageRows.add(d.imageEmbeds()[i]);
                }
                textToImage[i] = k;
            }
            return new ImagesOfPairs(images, imageRows, textToImage);
        }
    }

    /** A linear probe: fit on {@code train}'s labels, report accuracy on {@code test} (classes from train). */
    public static LinearProbeResult linearProbe(ImageTextEncoder encoder, ImageTextDataset train, ImageTextDataset test,
            Labeler labeler, LinearProbe.Config config) throws IOException, InterruptedException {
        EncodedDataset tr = EncodedDataset.encode(encoder, train);
        EncodedDataset te = EncodedDataset.encode(encoder, test);
        List<String> trLabels = labels(tr, labeler);
        List<String> classes = classNames(train, trLabels);
        return LinearProbe.fit(tr.imageEmbeds(), indices(train.spec(), trLabels, classes), te.imageEmbeds(),
                indices(test.spec(), labels(te, labeler), classes), classes.size(), config);
    }
}
