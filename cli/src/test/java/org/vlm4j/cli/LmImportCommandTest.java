package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vlm4j import --format gpt2|llama on the tiny HF-layout fixtures, then vlm4j lm generate on the result. */
class LmImportCommandTest {
    static final Path LM = Path.of("../core/src/test/resources/fixtures/lm").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** A WordLevel tokenizer.json of 53 words (the Llama fixture's vocabulary size), w0 being "<s>" and w1 "</s>". */
    static String wordLevel(int n) {
        StringBuilder vocab = new StringBuilder("\"<s>\": 0, \"</s>\": 1");
        for (int i = 2; i < n; i++) {
            vocab.append(", \"w").append(i).append("\": ").append(i);
        }
        return "{\"version\": \"1.0\", \"added_tokens\": [{\"id\": 0, \"content\": \"<s>\", \"special\": true,"
                + " \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false},"
                + " {\"id\": 1, \"content\": \"</s>\", \"special\": true, \"single_word\": false, \"lstrip\": false,"
                + " \"rstrip\": false, \"normalized\": false}], \"normalizer\": null,"
                + " \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null, \"decoder\": null,"
                + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {" + vocab + "}, \"unk_token\": \"w2\"}}";
    }

    @Test
    void importsGpt2AndLlamaAndGenerates() throws Exception {
        CliTest.Result g = CliTest.run("import", "--format", "gpt2", "--weights", LM.resolve("gpt2/model.safetensors"),
                "--config", LM.resolve("gpt2/config.json"), "--out", tmp.resolve("gpt2"), "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode j = CliTest.JSON.readTree(g.out());
        assertEquals("lm", j.get("family").asText());
        assertEquals(61, j.get("vocab_size").asInt());
        assertEquals(false, j.get("tokenizer").asBoolean());
        CliTest.assertCleanError(CliTest.run("lm", "generate", "--model", tmp.resolve("gpt2"), "--prompt", "hi"),
                "no tokenizer");

        Path tok = tmp.resolve("tok/tokenizer.json");
        Files.createDirectories(tok.getParent());
        Files.writeString(tok, wordLevel(53));
        CliTest.Result l = CliTest.run("import", "--format", "llama", "--weights",
                LM.resolve("llama/model.safetensors"), "--config", LM.resolve("llama/config.json"), "--tokenizer",
                tok.getParent(), "--out", tmp.resolve("llama"), "--json");
        assertEquals(0, l.code(), l.err());
        assertTrue(Files.isRegularFile(tmp.resolve("llama/tokenizer/tokenizer.json")));
        assertEquals("hf_json", CliTest.JSON.readTree(tmp.resolve("llama/config.json").toFile()).get("tokenizer")
                .asText());
        CliTest.Result gen = CliTest.run("lm", "generate", "--model", tmp.resolve("llama"), "--prompt", "w5 w9 w30",
                "--max-tokens", "4", "--json");
        assertEquals(0, gen.code(), gen.err());
        JsonNode out = CliTest.JSON.readTree(gen.out());
        assertTrue(out.get("tokens").asInt() >= 1 && out.get("tokens").asInt() <= 4, out.toString());
        assertTrue(out.get("text").asText().matches("(w\\d+ ?)*"), out.toString());

        CliTest.assertCleanError(CliTest.run("import", "--format", "llama", "--weights",
                LM.resolve("gpt2/model.safetensors"), "--config", LM.resolve("llama/config.json"), "--out",
                tmp.resolve("bad")), "missing key", "model.");
    }
}
