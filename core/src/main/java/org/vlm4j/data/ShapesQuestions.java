package org.vlm4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Generated visual questions about a Shapes scene, from its table fields: the colour of a shape ("what colour is the
 * square?", asked only of a shape kind that occurs once in the scene), the number of shapes ("how many shapes are
 * there?", answered as a digit) and a relation ("is the circle left of the triangle?", yes or no, half of them asking
 * the opposite relation; only for two shapes of different kinds). Answers are {@code |}-separated alternatives.
 */
public final class ShapesQuestions {
    /** Columns of a questions table: the image, the question, its answers, and {@code text} = question + answer. */
    public static final List<String> COLUMNS = List.of("image", "question", "answers", "kind", "text");

    /** One question: {@code kind} is colour, count or relation. */
    public record Question(String question, String answers, String kind) {}

    private static final Map<String, String> OPPOSITE = Map.of("left of", "right of", "right of", "left of",
            "above", "below", "below", "above");

    private ShapesQuestions() {}

    /**
     * The questions of a scene, from its fields (color, shape, count, relation, shape2, color3...); {@code seed}
     * decides which relation questions are asked the opposite way.
     */
    public static List<Question> of(Map<String, String> f, long seed) {
        List<Question> out = new ArrayList<>();
        String shape = f.get("shape");
        String shape2 = f.getOrDefault("shape2", "");
        String shape3 = f.getOrDefault("shape3", "");
        if (!shape.equals(shape2) && !shape.equals(shape3)) {
            out.add(new Question("what colour is the " + shape + "?", f.get("color"), "colour"));
        }
        out.add(new Question("how many shapes are there?", f.get("count") + "|" + word(f.get("count")), "count"));
        String rel = f.getOrDefault("relation", "");
        if (!rel.isEmpty() && !shape.equals(shape2)) {
            boolean flip = new Rng(seed).nextInt(2) == 1;
            out.add(new Question("is the " + shape + " " + (flip ? OPPOSITE.get(rel) : rel) + " the " + shape2 + "?",
                    flip ? "no" : "yes", "relation"));
        }
        return out;
    }

    private static String word(String digit) {
        return switch (digit) {
            case "1" -> "one";
            case "2" -> "two";
            case "3" -> "three";
            default -> digit;
        };
    }

    /** Table rows (COLUMNS order) for the scenes of one split table (Shapes.COLUMNS order). */
    static List<String[]> rows(long seed, int split, List<String[]> scenes) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < scenes.size(); i++) {
            String[] s = scenes.get(i);
            Map<String, String> f = new java.util.HashMap<>();
            for (int c = 0; c < Shapes.COLUMNS.size(); c++) {
                f.put(Shapes.COLUMNS.get(c), s[c]);
            }
            for (Question q : of(f, Rng.derive(seed, 7, split, i))) {
                String first = q.answers().split("\\|")[0];
                out.add(new String[] {s[0], q.question(), q.answers(), q.kind(), q.question() + " " + first});
            }
        }
        return out;
    }
}
