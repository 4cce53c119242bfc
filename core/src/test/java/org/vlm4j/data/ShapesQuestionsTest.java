package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated questions: hand-built scenes get the expected questions and answers; on a generated dataset every
 * question's answer agrees with its scene's table fields, relation answers are both yes and no, and the table loads as
 * an image-text dataset with the question and answers as metadata.
 */
class ShapesQuestionsTest {
    @TempDir
    Path tmp;

    @Test
    void questionsOfHandBuiltScenes() {
        Map<String, String> one = Map.of("color", "red", "shape", "square", "count", "1");
        assertEquals(List.of(new ShapesQuestions.Question("what colour is the square?", "red", "colour"),
                new ShapesQuestions.Question("how many shapes are there?", "1|one", "count")),
                ShapesQuestions.of(one, 1));
        Map<String, String> same = Map.of("color", "red", "shape", "circle", "count", "2", "relation", "above",
                "color2", "blue", "shape2", "circle");
        assertEquals(1, ShapesQuestions.of(same, 1).size(), "two circles: no colour or relation question");
    }

    @Test
    void answersAgreeWithTheScenes() throws Exception {
        Shapes.generate(tmp, Shapes.Config.of(200, 4).withVocabulary(3, 3).withSize(16));
        Map<String, Map<String, String>> scenes = new HashMap<>();
        List<String> rows = Files.readAllLines(tmp.resolve("train.tsv"));
        for (String r : rows.subList(1, rows.size())) {
            String[] c = r.split("\t", -1);
            Map<String, String> f = new HashMap<>();
            for (int i = 0; i < Shapes.COLUMNS.size(); i++) {
                f.put(Shapes.COLUMNS.get(i), c[i]);
            }
            scenes.put(c[0], f);
        }
        List<String> qs = Files.readAllLines(tmp.resolve("questions.tsv"));
        assertEquals(ShapesQuestions.COLUMNS, List.of(qs.get(0).split("\t")));
        int yes = 0;
        int no = 0;
        for (String q : qs.subList(1, qs.size())) {
            String[] c = q.split("\t", -1);
            Map<String, String> f = scenes.get(c[0]);
            switch (c[3]) {
                case "colour" -> {
                    assertEquals("what colour is the " + f.get("shape") + "?", c[1]);
                    assertEquals(f.get("color"), c[2]);
                }
                case "count" -> assertEquals(f.get("count"), c[2].split("\\|")[0]);
                case "relation" -> {
                    boolean asked = c[1].equals("is the " + f.get("shape") + " " + f.get("relation") + " the "
                            + f.get("shape2") + "?");
                    assertEquals(asked ? "yes" : "no", c[2], q);
                    yes += asked ? 1 : 0;
                    no += asked ? 0 : 1;
                }
                default -> throw new AssertionError(q);
            }
            assertEquals(c[1] + " " + c[2].split("\\|")[0], c[4]);
        }
        assertTrue(yes > 0 && no > 0, yes + " yes, " + no + " no");
        assertTrue(Files.isRegularFile(tmp.resolve("val_questions.tsv")));
        assertTrue(Files.isRegularFile(tmp.resolve("heldout_questions.tsv")));
        ImageTextDataset d = ImageTextDataset.open(tmp.resolve("questions.tsv").toString());
        assertEquals(qs.size() - 1, d.size().getAsLong());
    }
}
