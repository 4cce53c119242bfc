package org.vlm4j.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.nn.GenerationConfig;

/**
 * Visual question answering accuracy: each generated answer is normalised as the VQA evaluation does (lower case,
 * punctuation dropped, articles dropped, number words to digits, spaces collapsed) and counts as right when it equals
 * one of the reference answers, normalised alike (exact match; VQA's 3-of-10-annotators rule becomes "any reference"
 * since a generated table has one or a few alternatives).
 *
 * <p>Input: a TSV with a header naming {@code image}, {@code question} and {@code answers} ({@code |}-separated
 * alternatives), and optionally {@code kind} (accuracy is also reported per kind). Image paths are relative to the
 * table's directory unless absolute.
 */
public final class VqaEval {
    /** Accuracy overall and per kind, with every prediction. */
    public record Result(int n, double accuracy, Map<String, Double> accuracyByKind, Map<String, Integer> countByKind,
                         List<Item> items) {}

    /** One question of the table and the model's answer. */
    public record Item(Path image, String question, List<String> answers, String kind, String predicted,
                       boolean correct) {}

    private static final Set<String> ARTICLES = Set.of("a", "an", "the");
    private static final Map<String, String> NUMBERS = Map.ofEntries(Map.entry("none", "0"), Map.entry("zero", "0"),
            Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
            Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
            Map.entry("nine", "9"), Map.entry("ten", "10"));

    private VqaEval() {}

    /** VQA-style answer normalisation. */
    public static String normalize(String answer) {
        String s = answer.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s]", " ");
        StringBuilder out = new StringBuilder();
        for (String w : s.trim().split("\\s+")) {
            if (w.isEmpty() || ARTICLES.contains(w)) {
                continue;
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(NUMBERS.getOrDefault(w, w));
        }
        return out.toString();
    }

    public static boolean matches(String predicted, List<String> answers) {
        String p = normalize(predicted);
        for (String a : answers) {
            if (normalize(a).equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** The rows of a questions table. */
    public static List<Item> read(Path table) throws IOException {
        if (!Files.isRegularFile(table)) {
            throw new IllegalArgumentException(table + ": no such file");
        }
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(table + ": empty (expected a header with image, question, answers)");
        }
        List<String> header = List.of(lines.get(0).replace("\uFEFF", "").split("\t", -1));
        int img = header.indexOf("image");
        int q = header.indexOf("question");
        int a = header.indexOf("answers");
        int k = header.indexOf("kind");
        if (img < 0 || q < 0 || a < 0) {
            throw new IllegalArgumentException(table + ": the header must name the columns image, question and answers,"
                    + " got " + header);
        }
        Path root = table.toAbsolutePath().getParent();
        List<Item> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] c = lines.get(i).split("\t", -1);
            if (c.length < header.size()) {
                throw new IllegalArgumentException(table + ": line " + (i + 1) + " has " + c.length + " cells, the"
                        + " header " + header.size());
            }
            if (c[q].isBlank() || c[a].isBlank()) {
                throw new IllegalArgumentException(table + ": line " + (i + 1) + " has an empty question or answers");
            }
            Path p = Path.of(c[img]);
            List<String> answers = new ArrayList<>();
            for (String s : c[a].split("\\|")) {
                if (!s.isBlank()) {
                    answers.add(s.strip());
                }
            }
            out.add(new Item(p.isAbsolute() ? p : root.resolve(p), c[q].strip(), answers, k < 0 ? "all" : c[k], null,
                    false));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(table + ": no questions");
        }
        return out;
    }

    public static Result evaluate(QuestionAnswerer model, Path table, GenerationConfig generation) throws IOException {
        return evaluate(model, read(table), generation);
    }

    public static Result evaluate(QuestionAnswerer model, List<Item> items, GenerationConfig generation)
            throws IOException {
        List<Path> images = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (Item it : items) {
            images.add(it.image());
            questions.add(it.question());
        }
        List<String> predicted = model.answerFiles(images, questions, generation);
        List<Item> scored = new ArrayList<>();
        Map<String, Integer> right = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        int total = 0;
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            boolean ok = matches(predicted.get(i), it.answers());
            scored.add(new Item(it.image(), it.question(), it.answers(), it.kind(), predicted.get(i), ok));
            count.merge(it.kind(), 1, Integer::sum);
            right.merge(it.kind(), ok ? 1 : 0, Integer::sum);
            total += ok ? 1 : 0;
        }
        Map<String, Double> byKind = new LinkedHashMap<>();
        count.forEach((kind, n) -> byKind.put(kind, right.get(kind) / (double) n));
        return new Result(items.size(), total / (double) items.size(), byKind, count, scored);
    }
}
