package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vlm4j eval retrieval --model SCORER --first-stage ENCODER --rerank-top K}: an imported CLIP shortlists, a
 * VisualBERT (two training steps: plumbing, not quality) reorders by ITM. With K = 1 the order is the first stage's,
 * so every figure equals plain retrieval with the first stage; the JSON counts the pair scores computed.
 */
class EvalRerankCommandTest {
    @TempDir
    Path tmp;

    @Test
    void rerankTopKThroughTheCli() throws Exception {
        Path data = tmp.resolve("s");
        assertEquals(0, CliTest.run("data", "shapes", "--out", data, "--count", "40", "--json").code());
        CliTest.Result t = CliTest.run("train", "--model", "visualbert-tiny", "--data", data.resolve("train.tsv"),
                "--out", tmp.resolve("run"), "--steps", "2", "--batch-size", "8", "--vocab-size", "600", "--json");
        assertEquals(0, t.code(), t.err());
        Path scorer = tmp.resolve("run/model");
        Path clip = tmp.resolve("clip");
        assertEquals(0, CliTest.run("import", "--format", "openclip", "--weights",
                CliTest.FIX.resolve("peer-tiny-clip/model.safetensors"), "--config",
                CliTest.FIX.resolve("model_configs/peer-tiny-clip.json"), "--out", clip).code());
        Path val = data.resolve("val.tsv");

        JsonNode plain = json(CliTest.run("eval", "retrieval", "--model", clip, "--data", val, "--k", "1,3", "--json"));
        JsonNode top1 = json(CliTest.run("eval", "retrieval", "--model", scorer, "--first-stage", clip, "--rerank-top",
                "1", "--data", val, "--k", "1,3", "--json"));
        for (String key : new String[] {"image_to_text_R@1", "image_to_text_R@3", "text_to_image_R@1",
                "text_to_image_R@3", "image_to_text_mean_rank", "text_to_image_mean_rank", "n_images", "n_texts"}) {
            assertEquals(plain.get(key).asDouble(), top1.get(key).asDouble(), 1e-12, key);
        }
        int n = plain.get("n_images").asInt() + plain.get("n_texts").asInt();
        assertEquals(n, top1.get("pair_scores").asLong(), "one pair score per query at K = 1");
        assertEquals(1, top1.get("rerank_top").asInt());

        JsonNode top3 = json(CliTest.run("eval", "retrieval", "--model", scorer, "--first-stage", clip, "--rerank-top",
                "3", "--data", val, "--k", "1,3", "--json"));
        assertEquals(3L * n, top3.get("pair_scores").asLong());
        // the reranked top 3 holds the same candidates as the first stage's: R@3 cannot change
        assertEquals(plain.get("image_to_text_R@3").asDouble(), top3.get("image_to_text_R@3").asDouble(), 1e-12);
        assertEquals(plain.get("text_to_image_R@3").asDouble(), top3.get("text_to_image_R@3").asDouble(), 1e-12);

        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", scorer, "--rerank-top", "5", "--data",
                val), "--first-stage");
        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", scorer, "--first-stage", scorer,
                "--data", val), "cannot embed");
        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", clip, "--first-stage", clip,
                "--data", val), "cannot score");
        CliTest.assertCleanError(CliTest.run("eval", "retrieval", "--model", scorer, "--first-stage", clip,
                "--rerank-top", "0", "--data", val), ">= 1");
    }

    private static JsonNode json(CliTest.Result r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return CliTest.JSON.readTree(r.out());
    }
}
