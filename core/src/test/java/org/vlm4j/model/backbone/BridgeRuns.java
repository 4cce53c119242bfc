package org.vlm4j.model.backbone;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.eval.CaptioningEval;
import org.vlm4j.eval.CaptioningResult;
import org.vlm4j.eval.VqaEval;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/** Training and scoring helpers of the bridge tests. */
final class BridgeRuns {
    private BridgeRuns() {}

    record Run(double first, double last, double seconds, double imagesPerSecond, List<StepMetrics> history) {}

    /** Caption colour+shape accuracy, VQA accuracy per kind, and the blind baselines {colour VQA, caption}. */
    record Scores(double captionAccuracy, Map<String, Double> vqa, List<String> examples, double[] blind) {
        @Override
        public String toString() {
            return String.format("captions colour+shape %.3f (blind %.3f), VQA %s (colour blind %.3f); e.g. %s",
                    captionAccuracy, blind[1], vqa, blind[0], examples);
        }
    }

    static Run train(Bridge b, int steps, Path runDir, float lr) throws Exception {
        TrainOptions o = new TrainOptions(steps, 32, lr, 0.0f, 10, 1f, 1, steps, 1, 5, 5, 4);
        Trainer.Result r = new Trainer(o, null).fit(b, ImageTextDataset.open(BridgeFixtures.MIX.toString()), runDir,
                false);
        List<StepMetrics> h = r.history();
        double first = h.subList(0, 10).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        double last = h.subList(steps - 10, steps).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        return new Run(first, last, r.seconds(), r.imagesPerSecond(), h);
    }

    /** Greedy captions of the val images (colour + shape of the first-named shape) and VQA on the val questions. */
    static Scores score(Bridge b) throws Exception {
        CaptioningResult cap = CaptioningEval.evaluate(b,
                ImageTextDataset.open(BridgeFixtures.DATA.resolve("val.tsv").toString()), GenerationConfig.greedy(20,
                        Set.of()));
        int right = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < cap.n(); i++) {
            String want = BridgeFixtures.colourShape(cap.references().get(i).get(0));
            if (BridgeFixtures.colourShape(cap.captions().get(i)).equals(want)) {
                right++;
            }
            if (examples.size() < 3) {
                examples.add(want + " <- '" + cap.captions().get(i) + "'");
            }
        }
        VqaEval.Result vqa = VqaEval.evaluate(b, BridgeFixtures.DATA.resolve("val_questions.tsv"),
                GenerationConfig.greedy(4, Set.of()));
        examples.add(vqa.items().get(0).question() + " -> '" + vqa.items().get(0).predicted() + "'");
        return new Scores(right / (double) cap.n(), vqa.accuracyByKind(), examples, BridgeFixtures.blindBaselines());
    }

    /** Captions and colour answers right in at least 70% of cases, and 15 points above the blind baselines. */
    static void assertSees(Scores s) {
        org.junit.jupiter.api.Assertions.assertTrue(s.captionAccuracy() >= 0.7
                && s.captionAccuracy() > s.blind()[1] + 0.15, "captions: " + s);
        double colour = s.vqa().get("colour");
        org.junit.jupiter.api.Assertions.assertTrue(colour >= 0.7 && colour > s.blind()[0] + 0.15, "colour VQA: " + s);
    }

    static List<Path> valImages(int n) throws Exception {
        List<String> lines = Files.readAllLines(BridgeFixtures.DATA.resolve("val.tsv"), StandardCharsets.UTF_8);
        List<Path> out = new ArrayList<>();
        for (String l : lines.subList(1, n + 1)) {
            out.add(BridgeFixtures.DATA.resolve(l.split("\t")[0]));
        }
        return out;
    }
}
