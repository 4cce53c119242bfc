package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.backbone.Bridges;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.generative.diffusion.DiffusionConfig;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * Issue 6's last two items through the command line, over untrained towers (plumbing; quality is
 * MiniGpt5DecoderTest's and InterleavedPromptTest's): {@code train --model minigpt5-tiny --decoder DIFFUSION_DIR}
 * keeps the decoder in the model directory and {@code generate-image} draws with it; {@code ask} takes repeated
 * {@code --image} with {@code <image>} placeholders (a frozen-tiny model).
 */
class BridgeDecoderAndInterleaveCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void minigpt5DrawsWithItsDecoderAndAskTakesInterleavedImages() throws Exception {
        Path data = tmp.resolve("s");
        Shapes.generate(data, Shapes.Config.of(24, 3).withVocabulary(3, 2).withSize(32));
        List<String> text = Files.readAllLines(data.resolve("train.tsv")).stream().map(l -> l.split("\t")[1]).toList();
        ClipBpeTokenizer tok = BpeTrainer.of(520).train(text).tokenizer();
        Path lm = tmp.resolve("lm");
        try (LanguageModel m = new LanguageModel(new LmConfig(Bridges.tinyLm(tok.vocabSize())), tok, 1)) {
            ModelDir.save(m, lm);
        }
        Path clip = tmp.resolve("clip");
        TextConfig tc = new TextConfig(tok.vocabSize(), 20, 64, 1, 2, 128, Activation.GELU, 1e-5f, true, "argmax", 64,
                false, false, 0f);
        try (Clip c = new Clip(new ClipConfig(Clip.FAMILY, 64, Bridges.tinyVision(), tc, 2.6f, null,
                PreprocessConfig.openaiClip(32)), tok, 2)) {
            ModelDir.save(c, clip);
        }
        // the decoder has a vocabulary of its own, kept in the bridge's decoder/ directory
        ClipBpeTokenizer dtok = BpeTrainer.of(530).train(text).tokenizer();
        Path decoder = tmp.resolve("diffusion");
        try (DiffusionModel d = DiffusionModel.create(DiffusionConfig.tiny(dtok.vocabSize()).withTimesteps(50), dtok,
                3)) {
            ModelDir.save(d, decoder);
        }

        CliTest.Result t = CliTest.run("train", "--model", "minigpt5-tiny", "--vision", clip, "--lm", lm, "--decoder",
                decoder, "--data", data.resolve("train.tsv"), "--out", tmp.resolve("run"), "--steps", "2",
                "--batch-size", "4", "--json");
        assertEquals(0, t.code(), t.err());
        Path model = tmp.resolve("run/model");
        assertTrue(Files.isRegularFile(model.resolve("decoder/model.safetensors")), "the decoder is in the model dir");
        JsonNode cfg = CliTest.JSON.readTree(model.resolve("config.json").toFile());
        assertEquals("diffusion", cfg.get("decoder").get("family").asText());

        Path png = tmp.resolve("red.png");
        CliTest.Result g = CliTest.run("generate-image", "--model", model, "--text", "a red circle", "--out", png,
                "--sampling-steps", "4", "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode r = CliTest.JSON.readTree(g.out());
        assertEquals(16, r.get("size").asInt());
        assertEquals(4, r.get("sampling_steps").asInt());
        assertEquals(16, ImageIO.read(png.toFile()).getWidth());

        CliTest.Result plain = CliTest.run("train", "--model", "minigpt5-tiny", "--vision", clip, "--lm", lm, "--data",
                data.resolve("train.tsv"), "--out", tmp.resolve("plain"), "--steps", "1", "--batch-size", "4");
        assertEquals(0, plain.code(), plain.err());
        CliTest.Result noDecoder = CliTest.run("generate-image", "--model", tmp.resolve("plain/model"), "--text",
                "a red circle", "--out", tmp.resolve("none.png"));
        assertEquals(1, noDecoder.code());
        assertTrue(noDecoder.err().contains("no image decoder"), noDecoder.err());

        CliTest.Result wrong = CliTest.run("train", "--model", "minigpt4-tiny", "--vision", clip, "--lm", lm,
                "--decoder", decoder, "--data", data.resolve("train.tsv"), "--out", tmp.resolve("bad"), "--steps", "1");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("--decoder"), wrong.err());

        CliTest.Result f = CliTest.run("train", "--model", "frozen-tiny", "--vision", clip, "--lm", lm, "--data",
                data.resolve("train.tsv"), "--out", tmp.resolve("frozen"), "--steps", "1", "--batch-size", "4",
                "--json");
        assertEquals(0, f.code(), f.err());
        List<String> rows = Files.readAllLines(data.resolve("val.tsv"));
        Path a = data.resolve(rows.get(1).split("\t")[0]);
        Path b = data.resolve(rows.get(2).split("\t")[0]);
        CliTest.Result ask = CliTest.run("ask", "--model", tmp.resolve("frozen/model"), "--image", a, "--image", b,
                "--question", "<image> this is a red circle. <image> this is", "--max-tokens", "3", "--json");
        assertEquals(0, ask.code(), ask.err());
        assertTrue(CliTest.JSON.readTree(ask.out()).get("answer").isTextual(), ask.out());
        CliTest.Result missing = CliTest.run("ask", "--model", tmp.resolve("frozen/model"), "--image", a, "--image",
                b, "--question", "what colour is the circle?");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("<image>"), missing.err());
        CliTest.Result count = CliTest.run("ask", "--model", tmp.resolve("frozen/model"), "--image", a,
                "--question", "<image> this is a red circle. <image> this is");
        assertEquals(1, count.code());
        assertTrue(count.err().contains("2 <image> placeholder(s) but 1 image(s)"), count.err());
    }
}
