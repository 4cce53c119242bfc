package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.TieRule;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.data.Shapes;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Param;
import org.vlm4j.train.StepMetrics;

/**
 * MiniGPT-4 over the fixtures' frozen CLIP vision tower and frozen pretrained LM: only the projection trains (the
 * towers' weights are bit-identical afterwards), the loss falls, greedy captions of the val images name the
 * first-named shape's colour and shape, and colour questions are answered.
 */
class MiniGpt4TrainingTest {
    @TempDir
    static Path tmp;

    static Map<String, float[]> snapshot(Bridge b) {
        Map<String, float[]> out = new LinkedHashMap<>();
        b.namedParams().forEach((n, p) -> out.put(n, p.array().toFloatArray()));
        return out;
    }

    /** 3x chance (1/9); measured: see the printed figure and BENCHMARKS.md (bridges). */
    static final double ZS_BAR = 1.0 / 3;

    @Test
    void onlyTheProjectionTrainsAndItCaptionsAndAnswers() throws Exception {
        try (Bridge b = BridgeFixtures.bridge("minigpt4-tiny", 5)) {
            Map<String, float[]> before = snapshot(b);
            List<String> trainable = b.namedParams().entrySet().stream().filter(e -> e.getValue().trainable())
                    .map(Map.Entry::getKey).toList();
            assertEquals(List.of("proj.weight", "proj.bias"), trainable);
            int steps = 400;
            BridgeRuns.Run r = BridgeRuns.train(b, steps, tmp.resolve("run"), 5e-3f);
            Map<String, float[]> after = snapshot(b);
            for (String name : before.keySet()) {
                if (name.startsWith("proj.")) {
                    assertFalse(java.util.Arrays.equals(before.get(name), after.get(name)), name + " did not train");
                } else {
                    assertArrayEquals(before.get(name), after.get(name), name + " is frozen but changed");
                }
            }
            BridgeRuns.Scores s = BridgeRuns.score(b);
            System.out.printf("minigpt4 (test size): %d steps in %.1f s, loss %.3f -> %.3f; %s%n", steps, r.seconds(),
                    r.first(), r.last(), s);
            assertTrue(r.last() < 0.6 * r.first(), "loss " + r.first() + " -> " + r.last());
            BridgeRuns.assertSees(s);

            // the bridge as a generative classifier: zero-shot by log p("a large/small <class>" | image)
            List<String> classes = Shapes.Config.of(2000, 11).withVocabulary(3, 3).classNames();
            ZeroShotResult zs = DatasetEvals.zeroShot(b, ImageTextDataset.open(
                    BridgeFixtures.DATA.resolve("val.tsv").toString()), classes, List.of("a large {}", "a small {}"),
                    DatasetEvals.format("{color} {shape}"), ZeroShotEval.DEFAULT_KS, TieRule.PESSIMISTIC).result();
            System.out.printf("minigpt4 zero-shot by log p(text | image): top-1 %.3f over %d classes (n=%d)%n",
                    zs.top1(), classes.size(), zs.n());
            assertTrue(zs.top1() > ZS_BAR, "zero-shot by likelihood " + zs.top1());

            Path dir = tmp.resolve("model");
            ModelDir.save(b, dir);
            GenerationConfig g = GenerationConfig.greedy(20, Set.of());
            List<Path> imgs = BridgeRuns.valImages(4);
            try (VlmModel loaded = ModelDir.load(dir)) {
                assertEquals(b.captionFiles(imgs, g), ((Bridge) loaded).captionFiles(imgs, g));
            }
        }
    }
}
