package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    /** Sennrich et al.'s toy corpus: low x5, lower x2, newest x6, widest x3. */
    static List<String> toyCorpus() {
        List<String> c = new ArrayList<>();
        c.addAll(Collections.nCopies(5, "low"));
        c.addAll(Collections.nCopies(2, "Lower"));
        c.addAll(Collections.nCopies(6, "newest"));
        c.addAll(Collections.nCopies(3, "  WIDEST "));
        return c;
    }

    static List<String> mergeStrings(List<String[]> merges) {
        return merges.stream().map(m -> m[0] + " " + m[1]).collect(Collectors.toList());
    }

    /**
     * Words (symbols; the last carries </w>): l o w</w> x5, l o w e r</w> x2, n e w e s t</w> x6, w i d e s t</w> x3.
     * <pre>
     * 1. counts: (e,s)=6+3=9, (s,t</w>)=9, (w,e)=2+6=8, (l,o)=7, (n,e)=(e,w)=6, (o,w</w>)=5, ... ; tie at 9, "e" < "s"
     *    -> "e s"
     * 2. (es,t</w>)=9 (the only 9 left) -> "es t</w>"
     * 3. (l,o)=7 -> "l o"
     * 4. tie at 6: (e,w), (n,e), (w,est</w>); "e" < "n" < "w" -> "e w"   (newest = n ew est</w>)
     * 5. tie at 6: (ew,est</w>), (n,ew); "ew" < "n" -> "ew est</w>"
     * 6. (n,ewest</w>)=6 -> "n ewest</w>"
     * 7. (lo,w</w>)=5 -> "lo w</w>"
     * 8. tie at 3: (d,est</w>), (i,d), (w,i) -> "d est</w>";  9. "i dest</w>";  10. "w idest</w>"
     * 11. tie at 2 (lower = lo w e r</w>): (e,r</w>), (lo,w), (w,e) -> "e r</w>";  12. "lo w";  13. "low er</w>"
     * </pre>
     * Then every word is one symbol.
     */
    @Test
    void handCheckedMergesOnTheToyCorpus() {
        List<String> expected = List.of("e s", "es t</w>", "l o", "e w", "ew est</w>", "n ewest</w>", "lo w</w>",
                "d est</w>", "i dest</w>", "w idest</w>", "e r</w>", "lo w", "low er</w>");
        BpeTrainer.Result r = BpeTrainer.of(1000).withMinFrequency(1).train(toyCorpus());
        assertEquals(expected, mergeStrings(r.merges()));
        assertTrue(r.stoppedEarly(), "the corpus runs out of pairs");
        assertEquals(514 + 13, r.vocabSize());
        assertEquals(16, r.captions());
        assertEquals(4, r.words());

        // exactly N when asked for fewer merges than the corpus allows
        BpeTrainer.Result five = BpeTrainer.of(514 + 5).train(toyCorpus());
        assertEquals(expected.subList(0, 5), mergeStrings(five.merges()));
        assertEquals(519, five.vocabSize());
        assertFalse(five.stoppedEarly());

        // min frequency 3 stops before the pairs of "lower" (count 2)
        BpeTrainer.Result min3 = BpeTrainer.of(1000).withMinFrequency(3).train(toyCorpus());
        assertEquals(expected.subList(0, 10), mergeStrings(min3.merges()));
        assertTrue(min3.stoppedEarly());
        // the default (2) takes them all
        assertEquals(expected, mergeStrings(BpeTrainer.of(1000).train(toyCorpus()).merges()));

        // ids laid out as OpenCLIP's: bytes, bytes + </w>, merges in order, sot, eot
        ClipBpeTokenizer t = r.tokenizer();
        assertEquals(ClipBpeTokenizer.bundled().idToToken(0), t.idToToken(0));
        assertEquals(ClipBpeTokenizer.bundled().idToToken(511), t.idToToken(511));
        assertEquals(512, t.tokenToId("es"));
        assertEquals(512 + 12, t.tokenToId("lower</w>"));
        assertEquals(512 + 13, t.sotId());
        assertEquals(512 + 14, t.eotId());
        assertEquals("<start_of_text>", t.idToToken(t.sotId()));
        // encoding applies the merges by rank: lowest -> l o w e s t</w> -> ... -> low est</w>
        assertArrayEquals(new int[] {t.tokenToId("low"), t.tokenToId("est</w>")}, t.encode("lowest"));
        assertArrayEquals(new int[] {t.tokenToId("newest</w>"), t.tokenToId("widest</w>")}, t.encode("Newest widest"));
    }

    /** Captions from a seeded generator: Zipf-distributed pseudo-words with punctuation, digits and some non-ASCII. */
    static List<String> synthetic(int count, long seed) {
        return synthetic(count, seed, 3000);
    }

    static List<String> synthetic(int count, long seed, int lexiconSize) {
        Random rnd = new Random(seed);
        String[] syllables = {"ka", "to", "ri", "mu", "sen", "la", "po", "ve", "dor", "qui", "ba", "ne", "xi", "zu",
                "fa", "gri", "lo", "mé", "ñu", "st", "tr", "ch", "oo", "ee", "ing", "er", "ly", "ph"};
        String[] lexicon = new String[lexiconSize];
        for (int i = 0; i < lexicon.length; i++) {
            StringBuilder w = new StringBuilder();
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                w.append(syllables[rnd.nextInt(syllables.length)]);
            }
            lexicon[i] = w.toString();
        }
        String[] templates = {"a photo of a %s %s", "%s %s on the %s", "the %s, %s and %s", "%s %s %s (%d)",
                "A %s of %s: %s!", "%s's %s near %s #%d"};
        List<String> captions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String tpl = templates[rnd.nextInt(templates.length)];
            Object[] args = new Object[4];
            int a = 0;
            for (int k = 0; k < tpl.length() - 1; k++) {
                if (tpl.charAt(k) == '%') {
                    args[a++] = tpl.charAt(k + 1) == 'd' ? (Object) rnd.nextInt(1000)
                            : lexicon[(int) (lexicon.length * Math.pow(rnd.nextDouble(), 3))];
                }
            }
            captions.add(String.format(tpl, args));
        }
        return captions;
    }

    /**
     * The textbook algorithm, recounting every pair before each merge: the incremental counts must give the same merges,
     * also on words with runs ("aaaa", overlapping pairs) and multi-byte characters.
     */
    static List<String> naiveMerges(List<String> captions, int maxMerges, int minFrequency) {
        java.util.Map<List<String>, Long> words = new java.util.HashMap<>();
        for (String caption : captions) {
            for (String piece : caption.split(" ")) {
                if (piece.isEmpty()) {
                    continue;
                }
                byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                List<String> symbols = new ArrayList<>();
                for (int i = 0; i < bytes.length; i++) {
                    symbols.add(ClipBpeTokenizer.byteChar(bytes[i] & 0xFF) + (i == bytes.length - 1 ? "</w>" : ""));
                }
                words.merge(symbols, 1L, Long::sum);
            }
        }
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            java.util.Map<List<String>, Long> pairs = new java.util.HashMap<>();
            words.forEach((w, f) -> {
                for (int i = 0; i + 1 < w.size(); i++) {
                    pairs.merge(List.of(w.get(i), w.get(i + 1)), f, Long::sum);
                }
            });
            List<String> best = null;
            long bestCount = 0;
            for (var e : pairs.entrySet()) {
                List<String> p = e.getKey();
                long c = e.getValue();
                if (c > bestCount || c == bestCount && (p.get(0).compareTo(best.get(0)) < 0
                        || p.get(0).equals(best.get(0)) && p.get(1).compareTo(best.get(1)) < 0)) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null || bestCount < minFrequency) {
                break;
            }
            merges.add(best.get(0) + " " + best.get(1));
            java.util.Map<List<String>, Long> next = new java.util.HashMap<>();
            for (var e : words.entrySet()) {
                List<String> w = e.getKey();
                List<String> out = new ArrayList<>();
                for (int i = 0; i < w.size(); ) {
                    if (i + 1 < w.size() && w.get(i).equals(best.get(0)) && w.get(i + 1).equals(best.get(1))) {
                        out.add(best.get(0) + best.get(1));
                        i += 2;
                    } else {
                        out.add(w.get(i++));
                    }
                }
                next.merge(out, e.getValue(), Long::sum);
            }
            words = next;
        }
        return merges;
    }

    @Test
    void incrementalCountsMatchTheTextbookAlgorithm() {
        Random rnd = new Random(11);
        String[] alphabet = {"a", "a", "a", "b", "b", "c", "é", "ü"};
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder caption = new StringBuilder();
            for (int w = 0, n = 1 + rnd.nextInt(6); w < n; w++) {
                for (int k = 0, len = 1 + rnd.nextInt(9); k < len; k++) {
                    caption.append(alphabet[rnd.nextInt(alphabet.length)]);
                }
                caption.append(' ');
            }
            corpus.add(caption.toString());
        }
        corpus.addAll(List.of("aaaa aaaa aaa", "abab ababab", "aaaaaaa"));
        for (int minFrequency : new int[] {1, 2, 5}) {
            List<String> expected = naiveMerges(corpus, 600, minFrequency);
            BpeTrainer.Result r = BpeTrainer.of(514 + 600).withMinFrequency(minFrequency).train(corpus);
            assertEquals(expected, mergeStrings(r.merges()), "min frequency " + minFrequency);
            assertTrue(expected.size() > 100, "a long run: " + expected.size());
        }
    }

    @Test
    void deterministicAndIndependentOfCaptionOrder() {
        List<String> corpus = synthetic(3000, 1);
        BpeTrainer trainer = BpeTrainer.of(1200);
        List<String> a = mergeStrings(trainer.train(corpus).merges());
        List<String> b = mergeStrings(trainer.train(corpus).merges());
        List<String> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(7));
        List<String> c = mergeStrings(trainer.train(shuffled).merges());
        assertEquals(a, b);
        assertEquals(a, c);
        assertNotEquals(a, mergeStrings(trainer.train(synthetic(3000, 2)).merges()), "another corpus, other merges");
    }

    @Test
    void vocabularyHasExactlyTheAskedSize() {
        List<String> corpus = synthetic(3000, 3);
        for (int n : new int[] {514, 515, 1000, 1500}) {
            BpeTrainer.Result r = BpeTrainer.of(n).train(corpus);
            assertEquals(n, r.vocabSize(), "vocab " + n);
            assertEquals(n - 514, r.merges().size());
            assertFalse(r.stoppedEarly());
            assertEquals(n - 2, r.tokenizer().sotId());
            assertEquals(n - 1, r.tokenizer().eotId());
            assertEquals(3000, r.captions());
        }
    }

    @Test
    void everyCaptionRoundTripsToItsCleanedForm() {
        List<String> corpus = new ArrayList<>(synthetic(2000, 4));
        corpus.addAll(List.of("Café crème brûlée, naïve façade", "emoji 🐱🐱 cat", "It's 3:45pm — isn't it?",
                "HTML &amp; entities &lt;b&gt;", "Ελληνικά και русский 日本語のテキスト", "tabs\tand\nnewlines"));
        ClipBpeTokenizer t = BpeTrainer.of(1500).train(corpus).tokenizer();
        ClipBpeTokenizer clip = ClipBpeTokenizer.bundled();
        int trainedIds = 0;
        int byteIds = 0;
        for (String caption : corpus) {
            int[] ids = t.encode(caption);
            // OpenCLIP's decode: the cleaned text's pieces, each followed by a space; CLIP's own vocabulary agrees
            assertEquals(clip.decode(clip.encode(caption)), t.decode(ids), caption);
            trainedIds += ids.length;
            byteIds += ClipBpeTokenizer.utf8(t.cleaner().clean(caption).replace(" ", "")).length;
        }
        assertEquals("a photo of a cat . ", t.decode(t.encode("A photo of a   CAT.")));
        assertEquals("café crème brûlée , naïve façade ", t.decode(t.encode("Café crème brûlée, naïve façade")));
        assertEquals("html & entities < b > ", t.decode(t.encode("HTML &amp; entities &lt;b&gt;")));
        assertTrue(trainedIds * 2 < byteIds, "merges compress the corpus: " + trainedIds + " ids for " + byteIds + " bytes");
    }

    @Test
    void saveLoadGivesIdenticalIds(@TempDir Path tmp) throws IOException {
        List<String> corpus = synthetic(3000, 5);
        BpeTrainer.Result r = BpeTrainer.of(1100).train(corpus);
        ClipBpeTokenizer t = r.tokenizer();
        Path dir = tmp.resolve("tok");
        t.save(dir);
        // an OpenCLIP merges file: header + every merge, one per line
        List<String> lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(ClipBpeTokenizer.OPENCLIP_VOCAB_FILE)))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        }
        assertEquals(1 + r.merges().size(), lines.size());
        assertEquals(mergeStrings(r.merges()), lines.subList(1, lines.size()));

        ClipBpeTokenizer loaded = ClipBpeTokenizer.load(dir);
        assertIdentical(t, loaded, corpus);

        // as a model directory's tokenizer/ folder
        Path modelTok = tmp.resolve("model").resolve("tokenizer");
        t.save(modelTok);
        Tokenizer viaType = Tokenizers.load(Tokenizers.typeOf(t), modelTok);
        assertIdentical(t, (ClipBpeTokenizer) viaType, corpus);
        // and saved again from the loaded copy
        Path again = tmp.resolve("again");
        loaded.save(again);
        assertIdentical(t, ClipBpeTokenizer.load(again), corpus);
    }

    static void assertIdentical(ClipBpeTokenizer a, ClipBpeTokenizer b, List<String> texts) {
        assertEquals(a.vocabSize(), b.vocabSize());
        assertEquals(a.sotId(), b.sotId());
        assertEquals(a.eotId(), b.eotId());
        for (int id = 0; id < a.vocabSize(); id++) {
            assertEquals(a.idToToken(id), b.idToToken(id));
        }
        for (String text : texts) {
            assertArrayEquals(a.encode(text), b.encode(text), text);
        }
        assertArrayEquals(a.tokenize(texts.subList(0, 5), 77), b.tokenize(texts.subList(0, 5), 77));
    }

    @Test
    void fromMergesLaysOutIdsAsOpenClipAndChecksTheMerges() {
        ClipBpeTokenizer t = ClipBpeTokenizer.fromMerges(List.of(new String[] {"c", "a"}, new String[] {"ca", "t</w>"}));
        assertEquals(516, t.vocabSize());
        assertEquals(512, t.tokenToId("ca"));
        assertEquals(513, t.tokenToId("cat</w>"));
        assertEquals(514, t.sotId());
        assertEquals(515, t.eotId());
        assertArrayEquals(new int[] {513, t.tokenToId("c"), t.tokenToId("a</w>")}, t.encode("cat ca"));
        assertEquals(514, ClipBpeTokenizer.fromMerges(List.of()).vocabSize());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipBpeTokenizer.fromMerges(List.<String[]>of(new String[] {"a", "b c"})));
        assertTrue(e.getMessage().contains("merge 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClipBpeTokenizer.fromMerges(List.of(new String[] {"a", "b"}, new String[] {"xy", "z"})));
        assertTrue(e.getMessage().contains("xy"), e.getMessage());
        List<String[]> tooMany = Collections.nCopies(ClipBpeTokenizer.OPENCLIP_NUM_MERGES + 1, new String[] {"a", "b"});
        assertThrows(IllegalArgumentException.class, () -> ClipBpeTokenizer.fromMerges(tooMany));
    }

    @Test
    void badSettingsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(513));
        assertTrue(e.getMessage().contains("514") && e.getMessage().contains("513"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(0));
        e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(49409));
        assertTrue(e.getMessage().contains("49408"), e.getMessage());
        assertEquals(49408, BpeTrainer.of(49408).vocabSize());
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(600).withMinFrequency(0));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.of(600).trainFiles(List.of()));
    }

    @Test
    void readsTsvCsvAndTextFiles(@TempDir Path tmp) throws IOException {
        Path tsv = tmp.resolve("a.tsv");
        Files.writeString(tsv, "\uFEFFimage\tcaption\timage_id\nx/1.jpg\tA dog\t1\r\n\nx/2.jpg\t\"quoted \"\"cat\"\"\"\t2\n");
        assertEquals(List.of("A dog", "quoted \"cat\""), BpeTrainer.readCaptions(tsv));

        Path headerless = tmp.resolve("b.tsv");
        Files.writeString(headerless, "x/1.jpg\tfirst caption\nx/2.jpg\tsecond caption\n");
        assertEquals(List.of("first caption", "second caption"), BpeTrainer.readCaptions(headerless));

        Path csv = tmp.resolve("c.csv");
        Files.writeString(csv, "filepath,Title\nx/1.jpg,\"a cat, sitting\"\nx/2.jpg,\"two\nlines\"\nx/3.jpg,plain\n");
        assertEquals(List.of("a cat, sitting", "two\nlines", "plain"), BpeTrainer.readCaptions(csv));

        Path textFirst = tmp.resolve("d.csv");
        Files.writeString(textFirst, "text,url\nhello there,http://x\n");
        assertEquals(List.of("hello there"), BpeTrainer.readCaptions(textFirst));

        Path txt = tmp.resolve("e.txt");
        Files.writeString(txt, "one caption, with\ttab\n\n  \nanother\n");
        assertEquals(List.of("one caption, with\ttab", "another"), BpeTrainer.readCaptions(txt));

        Path sniffTsv = tmp.resolve("f.data");
        Files.writeString(sniffTsv, "\n1.jpg\tsniffed\n2.jpg\tagain\n");
        assertEquals(List.of("sniffed", "again"), BpeTrainer.readCaptions(sniffTsv));
        Path sniffText = tmp.resolve("g");
        Files.writeString(sniffText, "just, text\nmore\n");
        assertEquals(List.of("just, text", "more"), BpeTrainer.readCaptions(sniffText));

        Path gz = tmp.resolve("h.tsv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("image\ttext\n1.jpg\tgzipped\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("gzipped"), BpeTrainer.readCaptions(gz));

        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "1.jpg\tok\n2.jpg\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.readCaptions(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 2"), e.getMessage());
        Path unterminated = tmp.resolve("bad.csv");
        Files.writeString(unterminated, "caption\n\"never closed\n");
        e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.readCaptions(unterminated));
        assertTrue(e.getMessage().contains(unterminated.toString()) && e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.readCaptions(tmp.resolve("missing.tsv")));
        assertTrue(e.getMessage().contains("missing.tsv"), e.getMessage());

        // several files train together
        BpeTrainer.Result r = BpeTrainer.of(520).withMinFrequency(1).trainFiles(List.of(tsv, headerless, txt));
        assertEquals(6, r.captions());
    }

    @Test
    void twentyThousandCaptionsToVocab2000() {
        List<String> corpus = synthetic(20_000, 6, 40_000);
        BpeTrainer trainer = BpeTrainer.of(2000);
        trainer.train(synthetic(2000, 7)); // warm-up (JIT)
        long t0 = System.nanoTime();
        BpeTrainer.Result r = trainer.train(corpus);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BpeTrainer: %d captions (%d distinct words) -> vocab %d (%d merges) in %.2f s%n",
                r.captions(), r.words(), r.vocabSize(), r.merges().size(), s);
        assertEquals(2000, r.vocabSize());
        assertTrue(s < 60, "took " + s + " s");
    }
}
