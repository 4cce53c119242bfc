package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.nn.GenerationConfig;

/** VQA answer normalisation, table reading with clear errors, and accuracy per kind with a scripted model. */
class VqaEvalTest {
    @TempDir
    Path tmp;

    @Test
    void normalisesLikeTheVqaEvaluation() {
        assertEquals("2", VqaEval.normalize("Two."));
        assertEquals("red", VqaEval.normalize("  the RED!"));
        assertEquals("yes", VqaEval.normalize("Yes"));
        assertEquals("red circle", VqaEval.normalize("a red, circle"));
        assertTrue(VqaEval.matches("two", List.of("2")));
        assertFalse(VqaEval.matches("red circle", List.of("red")));
    }

    @Test
    void readsTablesAndNamesWhatIsWrong() throws Exception {
        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "image\tquestion\nx.png\twhat?\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaEval.read(bad));
        assertTrue(e.getMessage().contains("bad.tsv") && e.getMessage().contains("answers"), e.getMessage());
        Path empty = tmp.resolve("empty.tsv");
        Files.writeString(empty, "image\tquestion\tanswers\nx.png\t\tred\n");
        e = assertThrows(IllegalArgumentException.class, () -> VqaEval.read(empty));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void accuracyOverallAndPerKind() throws Exception {
        Path t = tmp.resolve("q.tsv");
        Files.writeString(t, "image\tquestion\tanswers\tkind\n"
                + "a.png\twhat colour is the square?\tred\tcolour\n"
                + "b.png\thow many shapes are there?\t2|two\tcount\n"
                + "c.png\twhat colour is the circle?\tblue\tcolour\n");
        List<String> scripted = List.of("Red", "two", "green");
        List<String> asked = new ArrayList<>();
        QuestionAnswerer qa = new QuestionAnswerer() {
            @Override
            public ImagePreprocessor preprocessor() {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> answer(float[] pixels, int n, int h, int w, List<String> q, GenerationConfig g) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> answerFiles(List<Path> files, List<String> questions, GenerationConfig g) {
                assertEquals(tmp.resolve("a.png"), files.get(0)); // relative to the table's folder
                asked.addAll(questions);
                return scripted;
            }
        };
        VqaEval.Result r = VqaEval.evaluate(qa, t, GenerationConfig.greedy(3, java.util.Set.of()));
        assertEquals(3, r.n());
        assertEquals(2 / 3.0, r.accuracy(), 1e-9);
        assertEquals(0.5, r.accuracyByKind().get("colour"), 1e-9);
        assertEquals(1.0, r.accuracyByKind().get("count"), 1e-9);
        assertEquals("what colour is the square?", asked.get(0));
    }
}
