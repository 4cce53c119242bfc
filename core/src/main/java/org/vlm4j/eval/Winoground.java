package org.vlm4j.eval;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;

/**
 * The Winoground protocol (Thrush et al. 2022) for pairs (c0, i0), (c1, i1) whose captions hold the same words in
 * another order. With s(c, i) the model's score: text score = s(c0,i0) &gt; s(c1,i0) and s(c1,i1) &gt; s(c0,i1);
 * image score = s(c0,i0) &gt; s(c0,i1) and s(c1,i1) &gt; s(c1,i0); group score = both. Comparisons are strict: a tie
 * is a failure (a model that scores everything alike gets 0, not chance). Scores come from an
 * {@link ImageTextScorer} or from an {@link ImageTextEncoder}'s cosine similarity.
 */
public final class Winoground {
    public static final List<String> REQUIRED_COLUMNS = List.of("image0", "image1", "text0", "text1");

    private Winoground() {}

    /** {@code s[caption][image]} of one pair: caption 0 wins on both images. */
    public static boolean textCorrect(float[][] s) {
        return s[0][0] > s[1][0] && s[1][1] > s[0][1];
    }

    /** Image 0 wins caption 0 and image 1 wins caption 1. */
    public static boolean imageCorrect(float[][] s) {
        return s[0][0] > s[0][1] && s[1][1] > s[1][0];
    }

    public static boolean groupCorrect(float[][] s) {
        return textCorrect(s) && imageCorrect(s);
    }

    /**
     * Scores of every pair ({@code s[caption][image]} each) to the three fractions, overall and per group: by the
     * {@code kind} column, and {@code seen} / {@code heldout} by the {@code heldout} column, where the table has them.
     */
    public static WinogroundResult result(List<WinogroundPair> pairs, List<float[][]> scores, String similarity) {
        if (pairs.size() != scores.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs but " + scores.size() + " score matrices");
        }
        Map<String, List<float[][]>> groups = new TreeMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            WinogroundPair p = pairs.get(i);
            if (!p.kind().isEmpty()) {
                groups.computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(scores.get(i));
            }
            String held = p.meta().get("heldout");
            if (held != null && !held.isEmpty()) {
                groups.computeIfAbsent(Boolean.parseBoolean(held) ? "heldout" : "seen", k -> new ArrayList<>())
                        .add(scores.get(i));
            }
        }
        Map<String, WinogroundResult> sub = new LinkedHashMap<>();
        groups.forEach((k, v) -> sub.put(k, fractions(v, Map.of(), null)));
        return fractions(scores, sub, similarity);
    }

    private static WinogroundResult fractions(List<float[][]> scores, Map<String, WinogroundResult> groups,
                                              String similarity) {
        int text = 0;
        int image = 0;
        int group = 0;
        for (float[][] s : scores) {
            if (s.length != 2 || s[0].length != 2 || s[1].length != 2) {
                throw new IllegalArgumentException("a Winoground score matrix is 2x2 [caption][image]");
            }
            text += textCorrect(s) ? 1 : 0;
            image += imageCorrect(s) ? 1 : 0;
            group += groupCorrect(s) ? 1 : 0;
        }
        int n = scores.size();
        return new WinogroundResult(frac(text, n), frac(image, n), frac(group, n), n, groups, similarity);
    }

    private static double frac(int k, int n) {
        return n == 0 ? Double.NaN : (double) k / n;
    }

    /** Cosine similarities of an encoder's embeddings, {@code s[caption][image]} per pair. */
    public static List<float[][]> cosineScores(ImageTextEncoder encoder, List<WinogroundPair> pairs)
            throws IOException {
        List<Path> files = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (WinogroundPair p : pairs) {
            files.add(p.image0());
            files.add(p.image1());
            texts.add(p.text0());
            texts.add(p.text1());
        }
        float[][] img = encoder.encodeImageFiles(files);
        float[][] txt = encoder.encodeTexts(texts);
        List<float[][]> out = new ArrayList<>(pairs.size());
        for (int k = 0; k < pairs.size(); k++) {
            float[][] s = new float[2][2];
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 2; i++) {
                    s[c][i] = cosine(txt[2 * k + c], img[2 * k + i]);
                }
            }
            out.add(s);
        }
        return out;
    }

    static float cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < a.length; d++) {
            dot += (double) a[d] * b[d];
            na += (double) a[d] * a[d];
            nb += (double) b[d] * b[d];
        }
        return (float) (dot / Math.sqrt(na * nb));
    }

    /** A scorer's scores, one call per pair (its two images, its two captions), {@code s[caption][image]}. */
    public static List<float[][]> scorerScores(ImageTextScorer scorer, List<WinogroundPair> pairs) throws IOException {
        ImagePreprocessor pre = scorer.preprocessor();
        int size = pre.config().size();
        List<float[][]> out = new ArrayList<>(pairs.size());
        for (WinogroundPair p : pairs) {
            float[] pixels = pre.preprocessBatch(List.of(p.image0(), p.image1()), ImageWorkers.shared());
            float[][] byImage = scorer.score(pixels, 2, size, size, List.of(p.text0(), p.text1()));
            out.add(new float[][] {{byImage[0][0], byImage[1][0]}, {byImage[0][1], byImage[1][1]}});
        }
        return out;
    }

    /**
     * Reads a Winoground table (TSV: tab-separated, no quoting; CSV when the name ends in .csv) with a header naming
     * at least {@code image0 image1 text0 text1}; image paths are relative to the table's folder. Errors name the
     * file, the line and the column.
     */
    public static List<WinogroundPair> read(Path table) throws IOException {
        if (!Files.isRegularFile(table)) {
            throw new IllegalArgumentException(table + ": no such file (a Winoground table with columns "
                    + String.join(", ", REQUIRED_COLUMNS) + ")");
        }
        boolean csv = table.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv");
        CSVFormat format = csv ? CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get()
                : CSVFormat.TDF.builder().setQuote(null).setEscape(null).setIgnoreSurroundingSpaces(false)
                        .setTrim(false).setIgnoreEmptyLines(true).get();
        Path root = table.toAbsolutePath().getParent();
        List<WinogroundPair> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(table, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.builder().setReader(r).setFormat(format).get()) {
            List<String> header = null;
            for (CSVRecord rec : parser) {
                List<String> cells = rec.toList();
                if (header == null) {
                    header = cells.stream().map(c -> c.replace("\uFEFF", "").strip()).toList();
                    for (String col : REQUIRED_COLUMNS) {
                        if (!header.contains(col)) {
                            throw new IllegalArgumentException(table + ": the header lacks the column '" + col
                                    + "' (need " + String.join(", ", REQUIRED_COLUMNS) + "; got " + header + ")");
                        }
                    }
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < header.size(); c++) {
                    row.put(header.get(c), c < cells.size() ? cells.get(c) : "");
                }
                long line = parser.getCurrentLineNumber();
                for (String col : REQUIRED_COLUMNS) {
                    if (row.get(col).isBlank()) {
                        throw new IllegalArgumentException(table + ":" + line + ": empty '" + col + "'");
                    }
                }
                Path i0 = image(root, row.get("image0"), table, line);
                Path i1 = image(root, row.get("image1"), table, line);
                Map<String, String> meta = new LinkedHashMap<>(row);
                REQUIRED_COLUMNS.forEach(meta::remove);
                out.add(new WinogroundPair(i0, i1, row.get("text0"), row.get("text1"), Map.copyOf(meta)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(table + ": no pairs (a header and at least one row are needed)");
        }
        return out;
    }

    private static Path image(Path root, String cell, Path table, long line) {
        Path p = root.resolve(cell).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException(table + ":" + line + ": image path '" + cell + "' leaves the table's"
                    + " folder");
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(table + ":" + line + ": image '" + cell + "' not found (" + p + ")");
        }
        return p;
    }
}
