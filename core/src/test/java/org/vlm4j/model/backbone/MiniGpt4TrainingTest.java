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
