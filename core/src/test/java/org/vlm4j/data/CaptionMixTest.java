package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vlm4j.data.DataFixtures.PRE;
import static org.vlm4j.data.DataFixtures.writePng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alternative captions: the draw, the negative that follows the caption, determinism under resume. */
class CaptionMixTest {
    @TempDir
    Path tmp;

    private static final Sample S = Sample.good("k", null, "a large red circle left of a small blue square",
            Map.of("short", "a large red circle", "negative", "a large red star left of a small blue square",
                    "short_negative", "a large red star"));

    @Test
    void probabilityZeroKeepsAndOneReplacesCaptionAndNegative() {
        assertSame(S, new CaptionMix("short", 0).apply(S, 1, 0, 5));
        Sample alt = new CaptionMix("short", 1).apply(S, 1, 0, 5);
        assertEquals("a large red circle", alt.caption());
        assertEquals("a large red star", alt.meta().get("negative"));
        // without FIELD_negative the full caption's negative would contradict nothing: it is dropped
        Sample noNeg = Sample.good("k", null, "c", Map.of("alt", "d", "negative", "not c"));
        Sample got = new CaptionMix("alt", 1).apply(noNeg, 1, 0, 0);
        assertEquals("d", got.caption());
        assertFalse(got.meta().containsKey("negative"));
        // an entry without the field keeps its caption
        Sample plain = Sample.good("k", null, "c", Map.of());
        assertSame(plain, new CaptionMix("alt", 1).apply(plain, 1, 0, 0));
    }

    @Test
    void drawIsAPureFunctionWithTheRequestedFrequency() {
        CaptionMix mix = CaptionMix.parse("short:0.75");
        int alt = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            boolean a = mix.apply(S, 7, 2, i) != S;
            assertEquals(a, mix.apply(S, 7, 2, i) != S, "same (seed, epoch, offset), same draw");
            alt += a ? 1 : 0;
        }
        assertEquals(0.75, alt / (double) n, 0.015); // binomial sd 0.003
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            differ += (mix.apply(S, 7, 2, i) != S) != (mix.apply(S, 7, 3, i) != S) ? 1 : 0;
        }
        assertTrue(differ > 250, "another epoch draws afresh (expected ~375 of 1000 to differ), got " + differ);
    }

    @Test
    void parseNamesWhatIsWrong() {
        assertEquals(new CaptionMix("short", 1.0), CaptionMix.parse("short"));
        assertEquals(new CaptionMix("short", 0.5), CaptionMix.parse("short:0.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CaptionMix.parse("short:lots")).getMessage()
                .contains("'lots' is not a probability"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CaptionMix.parse("short:1.5")).getMessage()
                .contains("[0, 1]"));
        assertThrows(IllegalArgumentException.class, () -> CaptionMix.parse(":0.5"));
    }

    @Test
    void loaderTrainsOnTheMixAndResumesToTheSameCaptions() throws Exception {
        StringBuilder tsv = new StringBuilder("image\ttext\tshort\n");
        for (int i = 0; i < 12; i++) {
            writePng(tmp.resolve("imgs/" + i + ".png"), i);
            tsv.append("imgs/").append(i).append(".png\tlong caption ").append(i).append("\tshort ").append(i)
                    .append('\n');
        }
        Files.writeString(tmp.resolve("d.tsv"), tsv);
        ImageTextDataset ds = ImageTextDataset.open(tmp.resolve("d.tsv").toString());
        BatchLoader.Options opt = BatchLoader.Options.training(4, 3).withCaptionMix(CaptionMix.parse("short:0.5"));
        List<Batch> run = new ArrayList<>();
        try (BatchLoader l = new BatchLoader(ds, PRE, opt)) {
            for (int i = 0; i < 6; i++) {
                run.add(l.next());
            }
        }
        int shorts = 0;
        for (Batch b : run) {
            for (int i = 0; i < b.size(); i++) {
                String c = b.captions().get(i);
                String n = c.substring(c.lastIndexOf(' ') + 1);
                assertTrue(c.equals("short " + n) || c.equals("long caption " + n), c);
                assertEquals("short " + n, b.meta().get(i).get("short"), "the caption belongs to its own entry");
                shorts += c.startsWith("short") ? 1 : 0;
            }
        }
        assertTrue(shorts > 0 && shorts < 24, "a mix of both kinds over 24 entries, got " + shorts + " short");
        try (BatchLoader l = new BatchLoader(ds, PRE, opt.withStart(run.get(2).end()))) {
            for (int i = 3; i < 6; i++) {
                assertEquals(run.get(i).captions(), l.next().captions(), "batch " + (i + 1) + " after resume");
            }
        }
        try (BatchLoader l = new BatchLoader(ds, PRE, BatchLoader.Options.training(4, 3))) {
            Batch plain = l.next();
            assertNotEquals(run.get(0).captions(), plain.captions(), "without the mix: the table's captions");
            assertTrue(plain.captions().stream().allMatch(c -> c.startsWith("long caption")));
        }
    }
}
