package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's byte-level BPE (ClipBpeTokenizer in GPT-2 mode) on a small hand-made vocabulary: the 256 byte symbols
 * (ids 0..255 in bytes_to_unicode order, as GPT-2's own vocab.json), six merges and {@code <|endoftext|>}.
 */
class Gpt2BpeTest {
    @TempDir
    Path dir;

    /** Writes the vocabulary; returns token -> id. */
    Map<String, Integer> write() throws Exception {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        int[] order = new int[256];
        int k = 0;
        for (int b = 0; b < 256; b++) { // printable bytes first, then the rest: bytes_to_unicode's order
            if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
                order[k++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
                order[k++] = b;
            }
        }
        for (int b : order) {
            vocab.put(String.valueOf(ClipBpeTokenizer.byteChar(b)), vocab.size());
        }
        List<String> merges = List.of("h e", "Ġ t", "Ġt he", "c a", "ca t", "Ġ c");
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        vocab.put("<|endoftext|>", vocab.size());
        new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
        return vocab;
    }

    @Test
    void encodesWithGpt2sPretokenizerAndDecodesLosslessly() throws Exception {
        Map<String, Integer> v = write();
        ClipBpeTokenizer t = ClipBpeTokenizer.fromGpt2(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        assertTrue(t.gpt2());
        assertEquals(263, t.vocabSize());
        assertEquals(262, t.eotId());
        assertEquals(262, t.sotId(), "GPT-2's only special token starts and ends texts");
        // "the cat": pieces "the" and " cat". "the": t h e -> (h e) -> t he (no "t he" merge).
        // " cat": Ġ c a t -> (c a) rank 4 beats (Ġ c) rank 6 -> Ġ ca t -> (ca t) -> Ġ cat (no "Ġ cat" merge).
        assertArrayEquals(new int[] {v.get("t"), v.get("he"), v.get("Ġ"), v.get("cat")}, t.encode("the cat"));
        // " the": Ġ t h e -> (h e) -> Ġ t he -> (Ġ t) -> Ġt he -> (Ġt he) -> Ġthe
        assertArrayEquals(new int[] {v.get("t"), v.get("he"), v.get("Ġthe")}, t.encode("the the"));
        // case is kept (no lower-casing), and two spaces split as " " + " The" (\s+(?!\S))
        assertArrayEquals(new int[] {v.get("Ġ"), v.get("Ġ"), v.get("T"), v.get("he")}, t.encode("  The"));
        assertArrayEquals(new int[] {v.get("<|endoftext|>"), v.get("Ġthe")}, t.encode("<|endoftext|> the"));
        for (String s : List.of("Hello  world!\n", "naïve café 123", "tabs\tand 😀 emoji", " the cat's")) {
            assertEquals(s, t.decode(t.encode(s)), "lossless: " + s);
        }
        // saved and loaded back by type
        t.save(dir.resolve("saved"));
        Tokenizer again = Tokenizers.load(Tokenizers.typeOf(t), dir.resolve("saved"));
        assertEquals(Tokenizers.GPT2_BPE, Tokenizers.typeOf(again));
        assertArrayEquals(t.encode("the cat sat"), again.encode("the cat sat"));
        // the CLIP reading of the same files still lower-cases and needs </w> symbols: the flag is what differs
        assertEquals(Tokenizers.CLIP_BPE, Tokenizers.typeOf(ClipBpeTokenizer.bundled()));
    }
}
