package org.vlm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.nn.Param;

/** A checkpoint restores weights, optimiser moments, step and data position exactly; only the newest K are kept. */
class CheckpointTest {
    @TempDir
    Path run;

    @Test
    void restoresEverythingExactlyAndKeepsTheNewest() throws Exception {
        try (Clip a = new Clip(ClipPresets.tiny(), null, 1); Clip b = new Clip(ClipPresets.tiny(), null, 2)) {
            Map<String, Param> pa = a.namedParams();
            pa.values().forEach(p -> p.array().setRequiresGradient(true));
            AdamW opt = new AdamW(a.manager(), 0.9f, 0.98f, 1e-6f, 0.2f, n -> true);
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = a.imageFeatures(a.manager().ones(new Shape(2, 3, 32, 32)));
                gc.backward(f.mul(f).sum());
            }
            opt.update(pa, 1e-3f);
            Checkpoint.State state = new Checkpoint.State(7, opt.step(), 2, 130, 5, Map.of("non_finite_skipped", 1L));
            for (int step : new int[] {3, 5, 7}) {
                Checkpoint.save(run, a, opt, new Checkpoint.State(step, opt.step(), 2, 130, 5, state.counters()), 2);
            }
            try (var dirs = Files.list(Checkpoint.dir(run))) {
                assertEquals(2, dirs.count(), "the newest 2 are kept, no temporary left");
            }
            Path latest = Checkpoint.latest(run).orElseThrow();
            assertTrue(latest.getFileName().toString().endsWith("00000007"));

            AdamW restored = new AdamW(b.manager(), 0.9f, 0.98f, 1e-6f, 0.2f, n -> true);
            Checkpoint.State back = Checkpoint.load(latest, b, restored);
            assertEquals(state, back);
            assertEquals(opt.step(), restored.step());
            for (Map.Entry<String, Param> e : pa.entrySet()) {
                assertArrayEquals(e.getValue().array().toFloatArray(), b.namedParams().get(e.getKey()).array().toFloatArray(),
                        e.getKey());
            }
            Map<String, float[]> m1 = opt.state();
            Map<String, float[]> m2 = restored.state();
            assertEquals(m1.keySet(), m2.keySet());
            m1.forEach((k, v) -> assertArrayEquals(v, m2.get(k), k));
        }
    }
}
