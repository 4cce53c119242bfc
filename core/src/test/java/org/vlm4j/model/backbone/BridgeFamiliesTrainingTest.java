package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other bridges over the fixtures' frozen towers, trained on captions and questions: each one's loss falls and
 * its frozen parts stay bit-identical; BLIP-2 (stage 2, Q-Former from scratch) must also caption and answer colour
 * questions; the others' caption and VQA figures are printed (see BENCHMARKS.md), not asserted.
 */
class BridgeFamiliesTrainingTest {
    @TempDir
    static Path tmp;

    private static BridgeRuns.Scores trainAndCheck(String preset, int steps, float lr, double fall, boolean score)
            throws Exception {
        try (Bridge b = BridgeFixtures.bridge(preset, 7)) {
            Map<String, float[]> before = MiniGpt4TrainingTest.snapshot(b);
            BridgeRuns.Run r = BridgeRuns.train(b, steps, tmp.resolve(preset), lr);
            Map<String, float[]> after = MiniGpt4TrainingTest.snapshot(b);
            b.namedParams().forEach((name, p) -> {
                if (p.trainable()) {
                    assertFalse(java.util.Arrays.equals(before.get(name), after.get(name)), name + " did not train");
                } else {
                    assertArrayEquals(before.get(name), after.get(name), name + " is frozen but changed");
                }
            });
            assertTrue(b.lm().namedParams().values().stream().noneMatch(p -> p.trainable()), "the LM is frozen");
            BridgeRuns.Scores s = score ? BridgeRuns.score(b) : null;
            System.out.printf("%s (test size): %d steps in %.1f s (%.1f img/s), loss %.3f -> %.3f (%s)%s%n", preset,
                    steps, r.seconds(), r.imagesPerSecond(), r.first(), r.last(),
                    r.history().get(r.history().size() - 1).losses(), s == null ? "" : "; " + s);
            assertTrue(r.last() < fall * r.first(), preset + ": loss " + r.first() + " -> " + r.last());
            return s;
        }
    }

    @Test
    void blip2CaptionsAndAnswers() throws Exception {
        BridgeRuns.assertSees(trainAndCheck("blip2-tiny", 300, 3e-3f, 0.85, true));
    }

    @Test
    void qwenVlLossFalls() throws Exception {
        trainAndCheck("qwenvl-tiny", 100, 3e-3f, 0.85, true);
    }

    @Test
    void frozenLossFalls() throws Exception {
        trainAndCheck("frozen-tiny", 100, 1e-3f, 0.85, true);
    }

    @Test
    void miniGptV2LossFalls() throws Exception {
        trainAndCheck("minigptv2-tiny", 100, 5e-3f, 0.85, true);
    }

    @Test
    void miniGpt5LossFalls() throws Exception {
        trainAndCheck("minigpt5-tiny", 100, 5e-3f, 0.85, true);
    }
}
