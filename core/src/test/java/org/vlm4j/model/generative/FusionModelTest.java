package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The early-fusion model's mechanics on tiny Shapes: with a (briefly trained) VQ-VAE inside, next-token training on
 * both orders lowers the loss, captions decode to text, generated images are whole grids of codes, and a saved and
 * reloaded model generates the same. (The accuracy bars for this model: FusionShapesTest.)
 */
class FusionModelTest {
    @TempDir
    Path tmp;

    @Test
    void trainsOnBothOrdersCaptionsAndGeneratesImages() throws Exception {
        Path data = tmp.resolve("shapes");
        Shapes.generate(data, Shapes.Config.of(300, 4).withSize(32).withVocabulary(2, 2));
        ImageTextDataset train = ImageTextDataset.open(data.resolve("train.tsv").toString());
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        try (VqVae vq = new VqVae(VqVaePresets.tiny(), 1);
             FusionModel model = new FusionModel(FusionConfig.tiny(tok.vocabSize()), tok, 2)) {
            new Trainer(new TrainOptions(40, 16, 2e-3f, 0f, 2, 1f, 1, 40, 1, 1, 5, 2), null).fit(vq, train,
                    tmp.resolve("vq"), false);
            model.setImageTokenizer(vq);
            Trainer.Result r = new Trainer(new TrainOptions(60, 16, 1e-3f, 0.1f, 6, 1f, 1, 60, 1, 3, 5, 2), null)
                    .fit(model, train, tmp.resolve("fusion"), false);
            List<StepMetrics> h = r.history();
            double first = h.subList(0, 5).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = h.subList(55, 60).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
            List<Path> files = List.of(data.resolve("images/val/000000.png"), data.resolve("images/val/000001.png"));
            assertArrayEquals(vq.tokenizeFiles(files), model.imageTokenizer().tokenizeFiles(files),
                    "the trained VQ-VAE's weights were copied in, and training left them alone");
            List<String> captions = model.captionFiles(files, GenerationConfig.greedy(16, java.util.Set.of()));
            GenerationConfig sampled = GenerationConfig.sampling(64, 1f, 20, 1f, java.util.Set.of(), 5);
            int[][] codes = model.generateCodes(List.of("a large red circle", "a small green square"), sampled);
            assertArrayEquals(codes, model.generateCodes(List.of("a large red circle", "a small green square"), sampled),
                    "seeded sampling repeats");
            System.out.printf("fusion: loss %.3f -> %.3f; captions %s; codes of 'a large red circle' %s%n", first,
                    last, captions, java.util.Arrays.toString(codes[0]));
            for (String c : captions) {
                assertTrue(c.matches("[a-z ]+"), "a caption of words: '" + c + "'");
            }
            assertEquals(64, codes[0].length);
            for (int[] row : codes) {
                assertTrue(java.util.Arrays.stream(row).allMatch(c -> c >= 0 && c < 128));
            }
            int[][] greedy = model.generateCodes(List.of("a red circle"), GenerationConfig.greedy(64, java.util.Set.of()));
            assertEquals(3 * 32 * 32, model.generateImages(List.of("a red circle"),
                    GenerationConfig.greedy(64, java.util.Set.of()))[0].length);
            Path dir = tmp.resolve("model");
            ModelDir.save(model, dir);
            try (VlmModel loaded = ModelDir.load(dir)) {
                FusionModel again = assertInstanceOf(FusionModel.class, loaded);
                assertArrayEquals(codes, again.generateCodes(List.of("a large red circle", "a small green square"),
                        sampled));
                assertArrayEquals(greedy, again.generateCodes(List.of("a red circle"),
                        GenerationConfig.greedy(64, java.util.Set.of())));
                assertEquals(captions, again.captionFiles(files, GenerationConfig.greedy(16, java.util.Set.of())));
            }
        }
    }
}
