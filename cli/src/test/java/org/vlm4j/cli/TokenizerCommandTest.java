package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.text.ClipBpeTokenizer;

/** {@code vlm4j tokenizer train} end to end (plain Java: no engine, no model). */
class TokenizerCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static CliTest.Result run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        int code = Main.run(a, new PrintWriter(out), new PrintWriter(err));
        return new CliTest.Result(code, out.toString(), err.toString());
    }

    /** image<TAB>caption rows with a header, captions from a small seeded lexicon. */
    static List<String> captions(int n) {
        String[] nouns = {"cat", "dog", "horse", "bicycle", "mountain", "street", "kitchen", "beach", "table", "person"};
        String[] adjectives = {"small", "large", "red", "wooden", "sunny", "crowded", "empty", "old", "striped"};
        Random rnd = new Random(3);
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add("A photo of a " + adjectives[rnd.nextInt(adjectives.length)] + " " + nouns[rnd.nextInt(nouns.length)]
                    + " next to the " + nouns[rnd.nextInt(nouns.length)] + ".");
        }
        return c;
    }

    @Test
    void trainWritesALoadableTokenizer() throws Exception {
        List<String> caps = captions(300);
        Path tsv = tmp.resolve("captions.tsv");
        StringBuilder sb = new StringBuilder("image\tcaption\n");
        for (int i = 0; i < caps.size(); i++) {
            sb.append("img/").append(i).append(".jpg\t").append(caps.get(i)).append('\n');
        }
        Files.writeString(tsv, sb.toString());
        Path out = tmp.resolve("tok");

        CliTest.Result r = run("tokenizer", "train", "--data", tsv, "--vocab-size", 560, "--out", out, "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(out.toString(), j.get("out").asText());
        assertEquals(560, j.get("vocab_size").asInt());
        assertEquals(560 - 514, j.get("merges").asInt());
        assertEquals(300, j.get("captions").asInt());
        assertFalse(j.get("stopped_early").asBoolean());
        assertTrue(j.get("seconds").isNumber());

        ClipBpeTokenizer t = ClipBpeTokenizer.load(out);
        assertEquals(560, t.vocabSize());
        assertEquals(558, t.sotId());
        assertEquals(559, t.eotId());
        assertEquals("a photo of a small cat next to the dog . ", t.decode(t.encode(caps.get(0).replaceAll(
                "of a \\w+ \\w+ next to the \\w+", "of a small cat next to the dog"))));
        // frequent caption words are single tokens
        assertArrayEquals(new int[] {t.tokenToId("photo</w>")}, t.encode("photo"));

        // plain text, several --data files, human output; a min frequency the corpus cannot reach stops early
        Path txt = tmp.resolve("more.txt");
        Files.writeString(txt, "one more caption\n");
        Path out2 = tmp.resolve("tok2");
        r = run("tokenizer", "train", "--data", tsv, "--data", txt, "--vocab-size", 49408, "--min-frequency", 3,
                "--out", out2);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("301 captions") && r.out().contains(out2.toString()), r.out());
        assertTrue(r.err().contains("stopped at vocabulary size"), r.err());
        ClipBpeTokenizer t2 = ClipBpeTokenizer.load(out2);
        assertTrue(t2.vocabSize() > 514 && t2.vocabSize() < 49408, "" + t2.vocabSize());
    }

    @Test
    void badInputIsOneLineError() throws Exception {
        Path txt = tmp.resolve("c.txt");
        Files.writeString(txt, "a cat\n");
        CliTest.Result r = run("tokenizer", "train", "--data", txt, "--vocab-size", 513, "--out", tmp.resolve("o"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("vlm4j: error: ") && r.err().contains("514"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("o")));

        r = run("tokenizer", "train", "--data", tmp.resolve("missing.tsv"), "--vocab-size", 600, "--out", tmp.resolve("o"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.tsv"), r.err());

        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        r = run("tokenizer", "train", "--data", empty, "--vocab-size", 600, "--out", tmp.resolve("o"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no captions"), r.err());

        r = run("tokenizer", "train", "--data", txt, "--out", tmp.resolve("o"));
        assertEquals(2, r.code(), "missing --vocab-size is a usage error");
        r = run("tokenizer");
        assertEquals(2, r.code(), "missing subcommand is a usage error: " + r.err());
    }
}
