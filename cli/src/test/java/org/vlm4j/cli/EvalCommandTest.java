package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vlm4j eval end to end on the OpenCLIP fixture model: it runs and prints the contract keys with sane values. */
class EvalCommandTest {
    static final Path IMAGES = CliTest.FIX.resolve("preprocess/images");

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void importFixture() throws Exception {
        model = tmp.resolve("tiny-clip");
        CliTest.Result r = CliTest.run("import", "--format", "openclip", "--weights",
                CliTest.FIX.resolve("peer-tiny-clip/model.safetensors"), "--config",
                CliTest.FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", model);
        assertEquals(0, r.code(), r.err());
    }

    static JsonNode json(CliTest.Result r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return CliTest.JSON.readTree(r.out());
    }

    static void assertUnit(JsonNode j, String... keys) {
        for (String k : keys) {
            assertTrue(j.has(k), k + " missing in " + j);
            double v = j.get(k).asDouble(Double.NaN);
            assertTrue(v >= 0 && v <= 1, k + " = " + j.get(k));
        }
    }

    /** class folders: logo (2 images), noise (1), diagram (2), with '_' in one name. */
    static Path classFolders(String name) throws Exception {
        Path root = tmp.resolve(name);
        copy("webtide_logo.jpg", root.resolve("web_logo/a.jpg"));
        copy("camera-web.png", root.resolve("web_logo/b.png"));
        copy("synthetic_noise_301x203.png", root.resolve("noise/n.png"));
        copy("gnupg-card-architecture.png", root.resolve("diagram/g.png"));
        copy("pyparsingClassDiagram_1.5.2.jpg", root.resolve("diagram/sub/p.jpg"));
        Files.writeString(root.resolve("diagram/notes.txt"), "not an image");
        return root;
    }

    static void copy(String image, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Files.copy(IMAGES.resolve(image), to);
    }

    @Test
    void retrievalFromATsvWithSeveralCaptionsPerImage() throws Exception {
        Path dir = tmp.resolve("ret");
        copy("webtide_logo.jpg", dir.resolve("img/logo.jpg"));
        copy("camera-web.png", dir.resolve("img/camera.png"));
        copy("synthetic_noise_301x203.png", dir.resolve("img/noise.png"));
        Path tsv = dir.resolve("captions.tsv");
        Files.writeString(tsv, String.join("\n", List.of("image\tcaption", "img/logo.jpg\ta company logo",
                "img/camera.png\ta camera icon", "img/logo.jpg\tthe word webtide", "img/noise.png\trandom noise",
                "img/camera.png\ta drawing of a camera", "")));
        JsonNode j = json(CliTest.run("eval", "retrieval", "--model", model, "--data", tsv, "--json"));
        assertUnit(j, "image_to_text_R@1", "image_to_text_R@5", "image_to_text_R@10", "text_to_image_R@1",
                "text_to_image_R@5", "text_to_image_R@10");
        assertEquals(3, j.get("n_images").asInt());
        assertEquals(5, j.get("n_texts").asInt());
        assertEquals(1.0, j.get("image_to_text_R@5").asDouble(), "3 images: every caption is within 5");
        assertTrue(j.get("image_to_text_mean_rank").asDouble() >= 1);

        CliTest.Result text = CliTest.run("eval", "retrieval", "--model", model, "--data", tsv, "--k", "1,2");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("text_to_image_R@2"), text.out());
    }

    @Test
    void tablesWithExtraColumnsAndLabelFormats() throws Exception {
        Path dir = tmp.resolve("table");
        copy("webtide_logo.jpg", dir.resolve("img/logo.jpg"));
        copy("camera-web.png", dir.resolve("img/camera.png"));
        copy("synthetic_noise_301x203.png", dir.resolve("img/noise.png"));
        Path tsv = dir.resolve("pairs.tsv");
        Files.writeString(tsv, String.join("\n", List.of("image\ttext\tkind\tstyle", "img/logo.jpg\ta logo\tweb\tlogo",
                "img/camera.png\ta camera\tweb\ticon", "img/noise.png\tnoise\tplain\tnoise", "")));
        // retrieval reads only the image and text columns: the extra columns do not leak into the captions
        JsonNode r = json(CliTest.run("eval", "retrieval", "--model", model, "--data", tsv, "--json"));
        assertEquals(3, r.get("n_texts").asInt());
        // zero-shot over a table: the class from its columns, candidate classes given or the distinct labels
        JsonNode z = json(CliTest.run("eval", "zeroshot", "--model", model, "--data", tsv, "--label", "{kind} {style}",
                "--templates", "simple", "--json"));
        assertEquals(3, z.get("n").asInt());
        assertEquals(3, z.get("n_classes").asInt());
        JsonNode c = json(CliTest.run("eval", "zeroshot", "--model", model, "--data", tsv, "--label", "{kind}",
                "--classes", "web,plain,other", "--json"));
        assertEquals(3, c.get("n_classes").asInt());
        assertEquals(1.0, c.get("top5").asDouble());
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", model, "--data", tsv, "--label", "{colour}"),
                "colour");
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", model, "--data", tsv, "--label", "{kind}",
                "--classes", "web"), "plain");
    }

    @Test
    void zeroShotOnClassFolders() throws Exception {
        Path data = classFolders("zs");
        JsonNode j = json(CliTest.run("eval", "zeroshot", "--model", model, "--data", data, "--templates", "simple",
                "--json", "--confusion"));
        assertUnit(j, "top1", "top5");
        assertEquals(5, j.get("n").asInt());
        assertEquals(3, j.get("n_classes").asInt());
        assertEquals(7, j.get("templates").asInt());
        assertEquals(1.0, j.get("top5").asDouble(), "3 classes: the true class is always within 5");
        assertTrue(j.get("per_class_accuracy").has("web logo"), j.toString());
        assertEquals(3, j.get("confusion").size());

        Path tpl = tmp.resolve("tpl.txt");
        Files.writeString(tpl, "a photo of a {}.\nan icon of a {}.\n");
        JsonNode k = json(CliTest.run("eval", "zeroshot", "--model", model, "--data", data, "--templates", tpl,
                "--json"));
        assertEquals(2, k.get("templates").asInt());
        assertUnit(k, "top1", "top5");
    }

    @Test
    void linearProbeOnClassFolders() throws Exception {
        Path data = classFolders("lp");
        JsonNode j = json(CliTest.run("eval", "linear-probe", "--model", model, "--train", data, "--test", data,
                "--lambda", "0.1,1", "--json"));
        assertUnit(j, "train_accuracy", "test_accuracy", "val_accuracy");
        assertEquals(3, j.get("n_classes").asInt());
        assertEquals(5, j.get("n_test").asInt());
    }

    @Test
    void badInputGivesOneLineErrors() throws Exception {
        Path data = classFolders("bad");
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", model, "--data", data, "--ties", "coin"),
                "--ties");
        Path tpl = tmp.resolve("bad-tpl.txt");
        Files.writeString(tpl, "a photo of a {c}.\n");
        CliTest.assertCleanError(CliTest.run("eval", "zeroshot", "--model", model, "--data", data, "--templates", tpl),
                "bad-tpl.txt:1");
        Path tsv = tmp.resolve("missing-image.tsv");
        Files.writeString(tsv, "nowhere.jpg\ta caption\n");
        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", model, "--data", tsv), "nowhere.jpg");
        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", model, "--data", tmp.resolve("no.tsv")),
                "no.tsv");
    }
}
