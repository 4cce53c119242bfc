package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * Bridges from model directories: every family saves and loads with identical weights; a bridge built over a CLIP
 * and a language model holds their exact weights and takes the LM's tokenizer; a bridge over a previous bridge of its
 * family continues from its weights (multi-stage recipes); wrong directories and configs give clear errors.
 */
class TowersTest {
    @TempDir
    Path tmp;

    static ClipBpeTokenizer tokenizer() {
        return BpeTrainer.of(520).train(List.of("a large red circle left of a small blue square",
                "question: what colour is the square? answer: red")).tokenizer();
    }

    static void assertSameWeights(Module a, Module b) {
        assertEquals(a.namedParams().keySet(), b.namedParams().keySet());
        a.namedParams().forEach((n, p) -> assertArrayEquals(p.array().toFloatArray(),
                b.namedParams().get(n).array().toFloatArray(), n));
    }

    @Test
    void everyFamilySavesAndLoads() throws Exception {
        ClipBpeTokenizer tok = tokenizer();
        for (String preset : Bridges.PRESETS) {
            BridgeConfig c = Bridges.preset(preset, tok.vocabSize());
            try (VlmModel m = org.vlm4j.model.Families.family(c.family()).create(c, tok, 3)) {
                ModelDir.save(m, tmp.resolve(preset));
                try (VlmModel back = ModelDir.load(tmp.resolve(preset))) {
                    assertEquals(ModelDir.JSON.valueToTree(c), ModelDir.JSON.valueToTree(back.config()), preset);
                    assertSameWeights(m.module(), back.module());
                }
            }
        }
    }

    @Test
    void bridgesOverTowerDirectories() throws Exception {
        ClipBpeTokenizer tok = tokenizer();
        TextConfig t = new TextConfig(tok.vocabSize(), 20, 64, 1, 2, 128, Activation.GELU, 1e-5f, true, "argmax", 64,
                false, false, 0f);
        Path clipDir = tmp.resolve("clip");
        Path lmDir = tmp.resolve("lm");
        try (Clip clip = new Clip(new ClipConfig(Clip.FAMILY, 64, Bridges.tinyVision(), t, 2.6f, null,
                PreprocessConfig.openaiClip(32)), tok, 5);
             MiniGpt4 lmSource = new MiniGpt4(Bridges.preset("minigpt4-tiny", tok.vocabSize()), tok, 6)) {
            ModelDir.save(clip, clipDir);
            ModelDir.save(lmSource, lmDir);
            try (Bridge q = Towers.bridge(Bridges.preset("qwenvl-tiny", tok.vocabSize()), clipDir, lmDir, 1)) {
                assertEquals(QwenVl.FAMILY, q.family());
                assertSameWeights(clip.visual(), q.visual());
                assertSameWeights(lmSource.lm(), q.lm());
                assertEquals(tok.vocabSize(), q.tokenizer().vocabSize());
            }
            // the next stage of a MiniGPT-4 recipe continues from the previous bridge
            try (Bridge next = Towers.bridge(Bridges.preset("minigpt4-tiny", tok.vocabSize()), lmDir, lmDir, 9)) {
                assertSameWeights(lmSource, next.module());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Towers.bridge(Bridges.preset("blip2-tiny", tok.vocabSize()), clipDir, clipDir, 1));
            assertTrue(e.getMessage().contains("not a causal language model"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Towers.bridge(Bridges.preset("blip2-tiny", tok.vocabSize()), null, lmDir, 1));
            assertTrue(e.getMessage().contains("--vision"), e.getMessage());
        }
        BridgeConfig c = Bridges.preset("minigpt4-tiny", 600);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BridgeConfig(c.family(),
                c.vision(), c.lm(), 0, 0, 0, 0, 0, List.of(), 0, false, "", "question:", c.preprocess()));
        assertTrue(e.getMessage().contains("{question}"), e.getMessage());
    }
}
