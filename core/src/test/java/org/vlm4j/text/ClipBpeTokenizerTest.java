package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ClipBpeTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The fixtures were made by an OpenCLIP whose ftfy was an identity stub. */
    private static final ClipBpeTokenizer NO_FTFY = ClipBpeTokenizer.bundled().withCleaner(TextCleaner.openClip(false));

    static JsonNode resource(String path) {
        try (InputStream in = ClipBpeTokenizerTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> cases() {
        List<JsonNode> cases = new ArrayList<>();
        resource("/fixtures/openclip/tokenizer_cases.json").get("cases").forEach(cases::add);
        return cases;
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).intValue();
        }
        return a;
    }

    static long[] longs(JsonNode array) {
        return Arrays.stream(ints(array)).asLongStream().toArray();
    }

    static int[] toInts(long[] row) {
        return Arrays.stream(row).mapToInt(Math::toIntExact).toArray();
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    @Test
    void bundledVocabularyIsOpenClips() {
        JsonNode doc = resource("/fixtures/openclip/tokenizer_cases.json");
        ClipBpeTokenizer t = ClipBpeTokenizer.bundled();
        assertEquals(doc.get("vocab_size").intValue(), t.vocabSize());
        assertEquals(doc.get("sot_token_id").intValue(), t.sotId());
        assertEquals(doc.get("eot_token_id").intValue(), t.eotId());
        assertEquals(doc.get("pad_id").intValue(), t.padId());
        assertEquals("<start_of_text>", t.idToToken(49406));
        assertEquals("<end_of_text>", t.idToToken(49407));
        assertEquals("!", t.idToToken(0));
        assertEquals("!</w>", t.idToToken(256));
        assertEquals(320, t.tokenToId("a</w>"));
        assertEquals(-1, t.tokenToId("no such token"));
        assertEquals(null, t.idToToken(49408));
        assertSame(t, ClipBpeTokenizer.bundled(), "bundled() is cached");
        assertTrue(t.cleaner().ftfy(), "default cleaner runs the ftfy subset, as OpenCLIP runs ftfy");
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureCase() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            String text = c.get("text").asText();
            int[] bpeIds = ints(c.get("bpe_ids"));
            int[] encoded = NO_FTFY.encode(text);
            assertArrayEquals(bpeIds, encoded, "bpe_ids");
            List<String> tokens = new ArrayList<>();
            c.get("bpe_tokens").forEach(n -> tokens.add(n.asText()));
            assertEquals(tokens, Arrays.stream(encoded).mapToObj(NO_FTFY::idToToken).collect(Collectors.toList()),
                    "bpe_tokens");
            long[] row = NO_FTFY.tokenize(List.of(text), 77)[0];
            assertArrayEquals(longs(c.get("ids")), row, "ids (context 77)");
            assertEquals(c.get("truncated").booleanValue(), bpeIds.length + 2 > 77, "truncated");
            assertEquals(c.get("num_tokens_with_sot_eot").intValue(), bpeIds.length + 2);
            assertEquals(c.get("decoded").asText(), NO_FTFY.decode(toInts(row)), "decoded");
        }));
    }

    @Test
    void tinyModelTokensAtContext16() {
        for (String model : List.of("peer-tiny-clip", "peer-tiny-sigmoid")) {
            JsonNode doc = resource("/fixtures/openclip/" + model + "/tokens.json");
            int ctx = doc.get("context_length").intValue();
            assertEquals(16, ctx);
            List<String> texts = new ArrayList<>();
            doc.get("texts").forEach(n -> texts.add(n.asText()));
            long[][] rows = ClipBpeTokenizer.bundled().tokenize(texts, ctx);
            long[][] noFtfy = NO_FTFY.tokenize(texts, ctx);
            assertEquals(texts.size(), rows.length);
            for (int i = 0; i < rows.length; i++) {
                assertArrayEquals(longs(doc.get("token_ids").get(i)), rows[i], model + " text " + i);
                assertArrayEquals(rows[i], noFtfy[i], model + " text " + i + " (ftfy off)");
            }
        }
    }

    @Test
    void truncationBoundary77And78() {
        JsonNode exact = null;
        JsonNode over = null;
        for (JsonNode c : cases()) {
            if (c.get("name").asText().equals("boundary_exactly_77")) {
                exact = c;
            } else if (c.get("name").asText().equals("boundary_78_truncated")) {
                over = c;
            }
        }
        // 75 tokens + sot + eot = 77: fits, nothing forced
        int[] e = NO_FTFY.encode(exact.get("text").asText());
        assertEquals(75, e.length);
        long[] row = NO_FTFY.tokenize(List.of(exact.get("text").asText()), 77)[0];
        assertEquals(49406, row[0]);
        assertEquals(e[74], row[75]);
        assertEquals(49407, row[76]);
        // 76 tokens: cut to 77 and the last kept token (here "5</w>" = 276) becomes eot
        int[] o = NO_FTFY.encode(over.get("text").asText());
        assertEquals(76, o.length);
        long[] cut = NO_FTFY.tokenize(List.of(over.get("text").asText()), 77)[0];
        assertEquals(e[74], cut[75]);
        assertEquals(49407, cut[76]);
        assertNotEquals(49407, o[75]);
        assertArrayEquals(row, cut, "the 78-token row is cut back to the 77-token row");
        // the same rule at another context length
        long[] small = NO_FTFY.tokenize(List.of("a photo of a cat"), 5)[0];
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 49407}, small);
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407},
                NO_FTFY.tokenize(List.of("a photo of a cat"), 7)[0]);
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 49407},
                NO_FTFY.tokenize(List.of("a photo of a cat"), 6)[0]);
        assertArrayEquals(new long[] {49407}, NO_FTFY.tokenize(List.of("a photo"), 1)[0]);
        assertArrayEquals(new long[] {49406, 49407, 0}, NO_FTFY.tokenize(List.of(""), 3)[0]);
        assertThrows(IllegalArgumentException.class, () -> NO_FTFY.tokenize(List.of("x"), 0));
        assertEquals(0, NO_FTFY.tokenize(List.of(), 77).length);
    }

    /**
     * Python quirks beyond the fixtures. Expected ids were computed at development time with OpenCLIP's
     * SimpleTokenizer code (python3.11 + regex, ftfy off) on the bundled vocabulary.
     */
    @Test
    void pythonQuirks() {
        Map<String, int[]> expected = new LinkedHashMap<>();
        // IGNORECASE: "<ſtart_of_text>" matches the special alternative (ſ folds to s) but is not the special token;
        // "'ſ" is a contraction piece; "<<start_of_text>" is punctuation first
        expected.put("<\u017Ftart_of_text> he'\u017F <START_OF_TEXT><end_of_text>x <<start_of_text>",
                new int[] {27, 129, 123, 16707, 62, 684, 62, 18169, 285, 797, 6, 129, 379, 49406, 49407, 343, 16482,
                    1572, 318, 539, 318, 4160, 285});
        // final sigma rules of str.lower()
        expected.put("\u1F48\u0394\u03A5\u03A3\u03A3\u0395\u038E\u03A3 \u03A3 A\u03A3. A\u03A3'B",
                new int[] {157, 121, 222, 138, 112, 139, 227, 139, 225, 139, 225, 138, 113, 139, 235, 139, 480, 139,
                    481, 64, 139, 480, 269, 64, 139, 481, 262, 321});
        // U+0345 is matched by no alternative of Python's IGNORECASE pattern, so it is dropped
        expected.put("a\u0345b !\u0345! \u0345", new int[] {320, 321, 256, 256});
        // Python whitespace (NBSP, U+2028, U+0085, U+001C) vs not (U+200B, U+180E)
        expected.put("x\u00A0y\u2028z\u0085w\u001Cv\u200Bu\u180Et",
                new int[] {343, 344, 345, 342, 341, 9844, 340, 157, 254, 492, 339});
        // \p{N} one code point at a time; Roman numeral lower-cased
        expected.put("\u216B \u0663\u0664 \u00BD\u00B2 \u2460",
                new int[] {158, 227, 375, 149, 352, 149, 353, 33613, 41175, 158, 239, 510});
        expected.put("\u01C5ungla \u0130\u0130 \u1E9E", new int[] {131, 228, 10439, 1210, 328, 16384, 328, 16384, 127, 509});
        expected.put("it\u2019s DON'T!!!'S", new int[] {585, 728, 503, 338, 847, 713, 11194, 262, 338});
        expected.put("a</w>b", new int[] {320, 34308, 342, 285, 321});
        expected.put("&amp &amp;amp; &notit; &#128;&#x110000;&#0; &ltfoo",
                new int[] {261, 261, 126, 361, 585, 282, 34919, 47356, 39802, 283, 23435});
        expected.put("\uD83D\uDC4D\uD83C\uDFFD\uD83C\uDDFA\uD83C\uDDF8 \u200D", new int[] {4686, 8514, 5688, 728, 491});
        // Unicode 14 case pairs (Python 3.11 lower-cases them, JDK 17 does not know them)
        expected.put("\u2C2F \uD801\uDD70", new int[] {158, 109, 509, 172, 238, 244, 501});
        expected.put("tab\tnew\nline\u000Bvt", new int[] {14724, 686, 1148, 10291});
        expected.forEach((text, ids) -> assertArrayEquals(ids, NO_FTFY.encode(text), text));
        assertEquals("a </ w > b ", NO_FTFY.decode(NO_FTFY.encode("a</w>b")));
    }

    @Test
    void ftfySensitiveCaseWithTheFtfySubset() {
        JsonNode c = cases().stream().filter(n -> n.get("ftfy_may_differ").booleanValue()).findFirst().orElseThrow();
        String text = c.get("text").asText();
        // real ftfy: curly quotes -> straight, ﬁ -> fi, full-width ＡＢＣ -> ABC, e + U+0301 -> é (NFC); ids computed
        // at development time with OpenCLIP's code on the text ftfy produces, "\"curly\" 'quotes' fine ABC été"
        int[] withFtfy = {257, 20795, 257, 262, 5808, 262, 3797, 5334, 3459, 39694};
        assertArrayEquals(withFtfy, ClipBpeTokenizer.bundled().encode(text));
        assertArrayEquals(withFtfy, NO_FTFY.encode("\"curly\" 'quotes' fine ABC \u00E9t\u00E9"));
        assertFalse(Arrays.equals(withFtfy, NO_FTFY.encode(text)));
    }

    @Test
    void ftfySubsetLeavesTheOtherFixtureCasesAlone() {
        // the fixture marks the only case where real ftfy changes the text; our subset must not change the others
        ClipBpeTokenizer withFtfy = ClipBpeTokenizer.bundled();
        for (JsonNode c : cases()) {
            if (!c.get("ftfy_may_differ").booleanValue()) {
                assertArrayEquals(ints(c.get("bpe_ids")), withFtfy.encode(c.get("text").asText()), c.get("name").asText());
            }
        }
    }

    @Test
    void decodeSkipsSpecialsAndTrailingPadding() {
        int[] ids = NO_FTFY.encode("a photo of a dog!!!");
        long[] row = NO_FTFY.tokenize(List.of("a photo of a dog!!!"), 77)[0];
        assertEquals("a photo of a dog !!! ", NO_FTFY.decode(ids));
        assertEquals("a photo of a dog !!! ", NO_FTFY.decode(toInts(row)));
        // id 0 ("!" without </w>) inside a sequence is a real token, not padding
        assertEquals("!!a ", NO_FTFY.decode(new int[] {0, 0, 320}));
        assertEquals("", NO_FTFY.decode(new int[0]));
        // invalid UTF-8 becomes U+FFFD, as Python's errors="replace"
        int firstByteOfEuro = NO_FTFY.tokenToId("\u00E2");
        assertEquals("\uFFFD", NO_FTFY.decode(new int[] {firstByteOfEuro}));
        assertThrows(IllegalArgumentException.class, () -> NO_FTFY.decode(new int[] {49408}));
        assertThrows(IllegalArgumentException.class, () -> NO_FTFY.decode(new int[] {-1}));
    }

    @Test
    void encodingIsThreadSafe(@TempDir Path dir) throws IOException {
        List<String> texts = captions(2000, 7);
        List<int[]> sequential = texts.stream().map(NO_FTFY::encode).collect(Collectors.toList());
        // a fresh instance, so that the threads race on an empty BPE cache
        ClipBpeTokenizer t = ClipBpeTokenizer.fromOpenClipVocab(copyBundledVocab(dir))
                .withCleaner(TextCleaner.openClip(false));
        List<int[]> parallel = texts.parallelStream().map(t::encode).collect(Collectors.toList());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(sequential.get(i), parallel.get(i), texts.get(i));
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    /** HuggingFace files derived here, independently of the tokenizer's own loader, from the bundled merges. */
    private static void writeHfFiles(Path dir) throws IOException {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(
                ClipBpeTokenizer.class.getResourceAsStream("bpe_simple_vocab_16e6.txt.gz"))) {
            lines = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        }
        List<String> merges = lines.subList(1, 49152 - 256 - 2 + 1);
        // bytes_to_unicode, written out again
        List<Integer> bs = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
                bs.add(b);
            }
        }
        List<String> chars = new ArrayList<>();
        for (int b : bs) {
            chars.add(String.valueOf((char) b));
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                chars.add(String.valueOf((char) (256 + n++)));
            }
        }
        List<String> vocab = new ArrayList<>(chars);
        chars.forEach(c -> vocab.add(c + "</w>"));
        merges.forEach(m -> vocab.add(m.replace(" ", "")));
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");
        Map<String, Integer> json = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            json.put(vocab.get(i), i);
        }
        JSON.writeValue(dir.resolve("vocab.json").toFile(), json);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    private static List<String> probeTexts() {
        List<String> texts = cases().stream().map(c -> c.get("text").asText()).collect(Collectors.toList());
        texts.addAll(captions(300, 3));
        return texts;
    }

    @Test
    void fromHfGivesTheSameIds(@TempDir Path dir) throws IOException {
        writeHfFiles(dir);
        ClipBpeTokenizer hf = ClipBpeTokenizer.fromHf(dir.resolve("vocab.json"), dir.resolve("merges.txt"))
                .withCleaner(TextCleaner.openClip(false));
        assertEquals(49408, hf.vocabSize());
        assertEquals(49406, hf.sotId());
        assertEquals(49407, hf.eotId());
        assertEquals(0, hf.padId());
        for (String text : probeTexts()) {
            // a literal special token is spelled the HuggingFace way in HuggingFace vocabularies
            String hfText = text.replace("<start_of_text>", "<|startoftext|>").replace("<END_OF_TEXT>", "<|ENDOFTEXT|>");
            assertArrayEquals(NO_FTFY.encode(text), hf.encode(hfText), text);
            assertArrayEquals(NO_FTFY.tokenize(List.of(text), 77)[0], hf.tokenize(List.of(hfText), 77)[0], text);
        }
        assertEquals(NO_FTFY.decode(NO_FTFY.encode("café naïve")), hf.decode(hf.encode("café naïve")));
        assertArrayEquals(hf.encode("x"), ClipBpeTokenizer.load(dir).withCleaner(TextCleaner.openClip(false)).encode("x"));
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path tmp) throws IOException {
        // OpenCLIP format
        Path a = tmp.resolve("openclip");
        NO_FTFY.save(a);
        try (Stream<Path> files = Files.list(a)) {
            assertEquals(List.of(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toList()), "no temporary files left");
        }
        ClipBpeTokenizer loaded = ClipBpeTokenizer.load(a).withCleaner(TextCleaner.openClip(false));
        assertEquals(NO_FTFY.vocabSize(), loaded.vocabSize());
        assertEquals(NO_FTFY.sotId(), loaded.sotId());
        assertEquals(NO_FTFY.eotId(), loaded.eotId());
        for (String text : probeTexts()) {
            assertArrayEquals(NO_FTFY.encode(text), loaded.encode(text), text);
        }
        // saving over an existing file replaces it
        loaded.save(a);
        assertArrayEquals(NO_FTFY.encode("a photo of a cat"), ClipBpeTokenizer.load(a).encode("a photo of a cat"));

        // HuggingFace format
        Path hfDir = tmp.resolve("hf-src");
        Files.createDirectories(hfDir);
        writeHfFiles(hfDir);
        ClipBpeTokenizer hf = ClipBpeTokenizer.load(hfDir);
        Path b = tmp.resolve("hf-saved");
        hf.save(b);
        try (Stream<Path> files = Files.list(b)) {
            assertEquals(List.of("merges.txt", "vocab.json"),
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        assertEquals(Files.readString(hfDir.resolve("merges.txt")), Files.readString(b.resolve("merges.txt")));
        assertEquals(JSON.readTree(hfDir.resolve("vocab.json").toFile()), JSON.readTree(b.resolve("vocab.json").toFile()));
        ClipBpeTokenizer hf2 = ClipBpeTokenizer.load(b);
        for (String text : probeTexts()) {
            assertArrayEquals(hf.encode(text), hf2.encode(text), text);
        }
    }

    private static void writeGz(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void smallVocabularyFromAMergesFile(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE);
        writeGz(gz, "#version: 0.2\nc a\nca t</w>\n");
        ClipBpeTokenizer t = ClipBpeTokenizer.load(dir).withCleaner(TextCleaner.openClip(false));
        assertEquals(512 + 2 + 2, t.vocabSize());
        assertEquals(514, t.sotId());
        assertEquals(515, t.eotId());
        assertArrayEquals(new int[] {513, t.tokenToId("c"), t.tokenToId("a</w>")}, t.encode("cat ca"));
        assertEquals("cat ca ", t.decode(t.encode("cat ca")));
    }

    @Test
    void malformedMergesNameFileAndLine(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE);
        writeGz(gz, "#version: 0.2\ni n\nt h\na n\nthree parts here\nr e\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(dir));
        assertTrue(e.getMessage().contains(gz.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 5"), e.getMessage());
        assertTrue(e.getMessage().contains("three parts here"), e.getMessage());

        writeGz(gz, "#version: 0.2\ni n\n\nt h\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.fromOpenClipVocab(gz));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());

        Path notGz = dir.resolve("plain.txt.gz");
        Files.writeString(notGz, "#version\ni n\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.fromOpenClipVocab(notGz));
        assertTrue(e.getMessage().contains(notGz.toString()), e.getMessage());

        Path hf = dir.resolve("hf");
        Files.createDirectories(hf);
        writeHfFiles(hf);
        Files.writeString(hf.resolve("merges.txt"), "#version: 0.2\ni n\nonlyone\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(hf));
        assertTrue(e.getMessage().contains(hf.resolve("merges.txt").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());

        Files.writeString(hf.resolve("merges.txt"), "#version: 0.2\ni n\nq zzz\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(hf));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("zzz"), e.getMessage());

        Files.writeString(hf.resolve("vocab.json"), "[1, 2]");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(hf));
        assertTrue(e.getMessage().contains(hf.resolve("vocab.json").toString()), e.getMessage());
    }

    @Test
    void missingFilesNameTheDirectory(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("no-such-dir");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bpe_simple_vocab_16e6.txt.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("merges.txt"), e.getMessage());

        Files.writeString(empty.resolve("vocab.json"), "{}");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.load(empty));
        assertTrue(e.getMessage().contains("no merges.txt"), e.getMessage());

        Path file = tmp.resolve("missing.txt.gz");
        e = assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.fromOpenClipVocab(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ timing

    private static Path copyBundledVocab(Path dir) throws IOException {
        Path gz = dir.resolve(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE);
        try (InputStream in = ClipBpeTokenizer.class.getResourceAsStream(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE)) {
            Files.copy(in, gz);
        }
        return gz;
    }

    /** Deterministic caption-like texts. */
    static List<String> captions(int count, long seed) {
        String[] subjects = {"a cat", "two dogs", "an old man", "the Eiffel Tower", "a red car", "children", "a woman",
            "a bowl of soup", "a café", "the mountains", "a black-and-white photo", "an emoji 😀", "skyscrapers"};
        String[] verbs = {"sitting on", "running across", "next to", "in front of", "under", "painted on", "near"};
        String[] objects = {"a wooden table", "the beach at sunset", "a busy street", "snowy hills", "a blue sofa",
            "the river", "a crowded market", "a field of flowers", "an empty parking lot", "a kitchen counter"};
        String[] extras = {"", ", high resolution", " (2019)", " — stock photo", ", 4k wallpaper", " #travel",
            "; shot on film", " & friends", " at night", ", photographed by J. Smith"};
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String s = subjects[r.nextInt(subjects.length)] + " " + verbs[r.nextInt(verbs.length)] + " "
                    + objects[r.nextInt(objects.length)] + extras[r.nextInt(extras.length)];
            out.add(r.nextInt(4) == 0 ? s.toUpperCase(java.util.Locale.ROOT) : s + " " + r.nextInt(1000));
        }
        return out;
    }

    @Test
    void loadAndTokenizeTiming(@TempDir Path dir) throws IOException {
        Path gz = copyBundledVocab(dir);
        long t0 = System.nanoTime();
        ClipBpeTokenizer t = ClipBpeTokenizer.fromOpenClipVocab(gz);
        long loadNs = System.nanoTime() - t0;
        List<String> texts = captions(10_000, 42);
        t0 = System.nanoTime();
        long[][] cold = t.tokenize(texts, 77);
        long coldNs = System.nanoTime() - t0;
        t0 = System.nanoTime();
        long[][] warm = t.tokenize(texts, 77);
        long warmNs = System.nanoTime() - t0;
        long[][] noFtfy = t.withCleaner(TextCleaner.openClip(false)).tokenize(texts, 77);
        t0 = System.nanoTime();
        t.withCleaner(TextCleaner.openClip(false)).tokenize(texts, 77);
        long warmNoFtfyNs = System.nanoTime() - t0;
        System.out.printf("[ClipBpeTokenizer] load of %d merges: %.1f ms; tokenize 10k captions: %.1f ms first pass, "
                        + "%.1f ms cached (ftfy subset on), %.1f ms cached (ftfy off)%n",
                ClipBpeTokenizer.OPENCLIP_NUM_MERGES, loadNs / 1e6, coldNs / 1e6, warmNs / 1e6, warmNoFtfyNs / 1e6);
        assertEquals(10_000, cold.length);
        for (int i = 0; i < cold.length; i++) {
            assertArrayEquals(cold[i], warm[i]);
            assertArrayEquals(cold[i], noFtfy[i], texts.get(i)); // nothing in these captions for ftfy to fix
        }
        assertTrue(loadNs < 5_000_000_000L, "loading the vocabulary took " + loadNs / 1e6 + " ms");
    }
}
