package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.backbone.Bridges;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * The bridges through the command line: BLIP-2 stage 1 ({@code blip2-qformer-tiny --vision CLIP}) then stage 2
 * ({@code blip2-tiny --vision STAGE1 --lm DIR}); {@code train --model qwenvl-tiny --vision DIR --lm DIR --feature-cache} over
 * Shapes' questions.tsv, then {@code ask}, {@code eval vqa} and {@code caption} on the model directory it writes (the
 * contract keys). A few training steps over untrained towers (a CLIP and an lm-family model): this tests the
 * plumbing; quality is MiniGpt4TrainingTest's.
 */
class BridgeCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainAskAndEvaluateThroughTheCli() throws Exception {
        Path data = tmp.resolve("s");
        Shapes.generate(data, Shapes.Config.of(40, 3).withVocabulary(3, 2).withSize(32));
        List<String> text = new ArrayList<>();
        for (String l : Files.readAllLines(data.resolve("questions.tsv"))) {
            text.add(l.split("\t")[4]);
        }
        ClipBpeTokenizer tok = BpeTrainer.of(520).train(text).tokenizer();
        Path towers = tmp.resolve("lm"); // an untrained language model of the lm family
        try (LanguageModel m = new LanguageModel(new LmConfig(Bridges.tinyLm(tok.vocabSize())), tok, 1)) {
            ModelDir.save(m, towers);
        }
        Path clipDir = tmp.resolve("clip");
        TextConfig tc = new TextConfig(tok.vocabSize(), 20, 64, 1, 2, 128, Activation.GELU, 1e-5f, true, "argmax", 64,
                false, false, 0f);
        try (Clip clip = new Clip(new ClipConfig(Clip.FAMILY, 64, Bridges.tinyVision(), tc, 2.6f, null,
                PreprocessConfig.openaiClip(32)), tok, 2)) {
            ModelDir.save(clip, clipDir);
        }

        // BLIP-2 stage 1 over the CLIP's vision tower, then stage 2 from its Q-Former
        CliTest.Result s1 = CliTest.run("train", "--model", "blip2-qformer-tiny", "--vision", clipDir, "--data",
                data.resolve("train.tsv"), "--out", tmp.resolve("stage1"), "--steps", "2", "--batch-size", "8",
                "--vocab-size", "520", "--json");
        assertEquals(0, s1.code(), s1.err());
        CliTest.Result s2 = CliTest.run("train", "--model", "blip2-tiny", "--vision", tmp.resolve("stage1/model"),
                "--lm", towers, "--data", data.resolve("questions.tsv"), "--out", tmp.resolve("stage2"), "--steps", "1",
                "--batch-size", "4", "--json");
        assertEquals(0, s2.code(), s2.err());
        assertEquals("blip2", CliTest.JSON.readTree(tmp.resolve("stage2/model/config.json").toFile()).get("family")
                .asText());

        CliTest.Result noTowers = CliTest.run("train", "--model", "blip2-tiny", "--data", data.resolve("questions.tsv"),
                "--out", tmp.resolve("bad"), "--steps", "1");
        assertEquals(1, noTowers.code());
        assertTrue(noTowers.err().contains("--vision"), noTowers.err());

        CliTest.Result t = CliTest.run("train", "--model", "qwenvl-tiny", "--vision", clipDir, "--lm", towers, "--data",
                data.resolve("questions.tsv"), "--out", tmp.resolve("run"), "--steps", "2", "--batch-size", "8",
                "--feature-cache", tmp.resolve("cache").toString(), "--json");
        assertEquals(0, t.code(), t.err());
        assertTrue(Double.isFinite(CliTest.JSON.readTree(t.out()).get("final_loss").asDouble()), t.out());
        try (var cached = Files.list(tmp.resolve("cache"))) {
            long files = cached.count();
            assertTrue(files > 0 && files <= 16, files + " cached images; one per distinct image of the 2 x 8 rows");
        }
        Path model = tmp.resolve("run/model");
        assertEquals("qwenvl", CliTest.JSON.readTree(model.resolve("config.json").toFile()).get("family").asText());

        String img = Files.readAllLines(data.resolve("val.tsv")).get(1).split("\t")[0];
        CliTest.Result a = CliTest.run("ask", "--model", model, "--image", data.resolve(img), "--question",
                "what colour is the circle?", "--max-tokens", "3", "--json");
        assertEquals(0, a.code(), a.err());
        assertTrue(CliTest.JSON.readTree(a.out()).get("answer").isTextual(), a.out());

        CliTest.Result e = CliTest.run("eval", "vqa", "--model", model, "--data", data.resolve("val_questions.tsv"),
                "--max-tokens", "3", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode r = CliTest.JSON.readTree(e.out());
        assertEquals(Files.readAllLines(data.resolve("val_questions.tsv")).size() - 1, r.get("n").asInt());
        double acc = r.get("accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, e.out());
        assertTrue(r.get("accuracy_by_kind").has("count"), e.out());

        CliTest.Result c = CliTest.run("caption", "--model", model, data.resolve(img), "--max-tokens", "4", "--json");
        assertEquals(0, c.code(), c.err());

        // a bridge classifies zero-shot by log p(text | image), the captioner's own likelihood
        CliTest.Result z = CliTest.run("eval", "zeroshot", "--model", model, "--data", data.resolve("val.tsv"),
                "--label", "{color} {shape}", "--classes", data.resolve("classes.txt"), "--templates", "a {}",
                "--likelihood", "text", "--json");
        assertEquals(0, z.code(), z.err());
        var zj = CliTest.JSON.readTree(z.out());
        assertEquals("log p(text | image)", zj.get("scorer").asText(), z.out());
        assertTrue(zj.get("top1").asDouble() >= 0 && zj.get("top1").asDouble() <= 1, z.out());
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", model, "--data", data.resolve("val.tsv"),
                "--label", "{color} {shape}", "--classes", data.resolve("classes.txt"), "--likelihood", "image"),
                "likelihood");

        CliTest.Result clipAsk = CliTest.run("eval", "vqa", "--model", model, "--data", data.resolve("val.tsv"));
        assertEquals(1, clipAsk.code());
        assertTrue(clipAsk.err().contains("question"), clipAsk.err());
    }
}
