package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hand-made BPE tokenizer.json through DJL's HuggingFace binding (offline), with its special tokens. */
class HfJsonTokenizerTest {
    @TempDir
    Path dir;

    static final String JSON = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [
               {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
               {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": null,
             "decoder": null,
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                       "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                       "vocab": {"<s>": 0, "</s>": 1, "a": 2, "b": 3, "c": 4, "d": 5, "ab": 6, "abc": 7, "cd": 8},
                       "merges": ["a b", "ab c", "c d"]}}
            """;

    @Test
    void encodesWithTheMergesAndKnowsItsSpecialTokens() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), JSON);
        HfJsonTokenizer t = HfJsonTokenizer.fromFile(dir.resolve("tokenizer.json"));
        assertEquals(9, t.vocabSize());
        assertEquals(0, t.sotId());
        assertEquals(1, t.eotId());
        assertEquals(1, t.padId(), "padding defaults to the end token");
        // "abc": a b c -> (a b) -> ab c -> (ab c) -> abc; "cd": (c d); "dab": d a b -> d ab
        assertArrayEquals(new int[] {7, 8, 5, 6}, t.encode("abc cd dab"));
        assertEquals("abc cd d ab", t.decode(new int[] {0, 7, 8, 5, 6, 1}), "specials skipped, pieces joined");
        long[][] rows = t.tokenize(java.util.List.of("ab"), 4);
        assertArrayEquals(new long[] {0, 6, 1, 1}, rows[0]);

        // bos / eos named by tokenizer_config.json win over the usual names
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"cd\", \"eos_token\": {\"content\":"
                + " \"abc\"}, \"pad_token\": \"<s>\"}");
        HfJsonTokenizer c = HfJsonTokenizer.fromFile(dir.resolve("tokenizer.json"));
        assertEquals(8, c.sotId());
        assertEquals(7, c.eotId());
        assertEquals(0, c.padId());
        c.save(dir.resolve("saved"));
        Tokenizer again = Tokenizers.load(Tokenizers.typeOf(c), dir.resolve("saved"));
        assertEquals(7, again.eotId());
        assertArrayEquals(c.encode("abc cd"), again.encode("abc cd"));

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<eot>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfJsonTokenizer.fromFile(dir.resolve("tokenizer.json")));
        assertTrue(e.getMessage().contains("<eot>"), e.getMessage());
    }
}
