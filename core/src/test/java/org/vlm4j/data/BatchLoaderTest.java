package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vlm4j.data.DataFixtures.PRE;
import static org.vlm4j.data.DataFixtures.good;
import static org.vlm4j.data.DataFixtures.tar;
import static org.vlm4j.data.DataFixtures.writePng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.DataFixtures.Member;

/** Order, epochs, prefetch and exact resume. */
class BatchLoaderTest {
    @TempDir
    Path tmp;

    /** 20 good images and 5 bad rows (zero-byte, missing file, no caption, escaping path, non-UTF-8). */
    private ImageTextDataset table() throws Exception {
        StringBuilder tsv = new StringBuilder("image\ttext\tn\n");
        for (int i = 0; i < 20; i++) {
            writePng(tmp.resolve("imgs/" + i + ".png"), i);
            tsv.append("imgs/").append(i).append(".png\tpicture ").append(i).append('\t').append(i).append('\n');
            if (i == 4) {
                tsv.append("imgs/empty.png\tzero bytes\t-\n");
            } else if (i == 9) {
                tsv.append("imgs/nope.png\tmissing\t-\n");
            } else if (i == 13) {
                tsv.append("imgs/3.png\t\t-\n");
            } else if (i == 17) {
                tsv.append("../imgs/3.png\tescape\t-\n");
            }
        }
        Files.write(tmp.resolve("imgs/empty.png"), new byte[0]);
        byte[] text = tsv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = "imgs/5.png\t\u00ff\u00fe\t-\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] all = new byte[text.length + bad.length];
        System.arraycopy(text, 0, all, 0, text.length);
        System.arraycopy(bad, 0, all, text.length, bad.length);
        Files.write(tmp.resolve("data.tsv"), all);
        return ImageTextDataset.open(tmp.resolve("data.tsv").toString());
    }

    /** 3 shards of 7 samples (20 good) with bad samples spread over them. */
    private ImageTextDataset shards() throws Exception {
        int k = 0;
        for (int s = 0; s < 3; s++) {
            List<Member> m = new ArrayList<>();
            for (int j = 0; j < 7; j++, k++) {
                String key = String.format("%05d", k);
                if (k == 3) {
                    m.add(new Member(key + ".png", new byte[0]));
                    m.add(Member.text(key + ".txt", "zero"));
                } else if (k == 17) {
                    m.add(new Member(key + ".txt", new byte[] {(byte) 0xff, (byte) 0xfe}));
                    m.add(new Member(key + ".png", DataFixtures.png(k)));
                } else {
                    m.addAll(good(key, k));
                }
            }
            if (s == 1) {
                m.add(new Member("00099.png", DataFixtures.png(99))); // no caption
            }
            Files.write(tmp.resolve(String.format("train-%02d.tar", s)), tar(m));
        }
        return ImageTextDataset.open(tmp.resolve("train-{00..02}.tar").toString());
    }

    private static List<Batch> take(BatchLoader l, int n) throws InterruptedException {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(l.next());
        }
        return out;
    }

    private static void assertSameBatch(Batch want, Batch got, String what) {
        assertArrayEquals(want.pixels(), got.pixels(), what + ": pixels");
        assertEquals(want.captions(), got.captions(), what + ": captions");
        assertEquals(want.meta(), got.meta(), what + ": meta");
        assertEquals(want.end(), got.end(), what + ": end position");
        assertEquals(want.size(), got.size(), what + ": size");
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> m = new HashMap<>(a);
        b.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    private void checkResume(ImageTextDataset ds, BatchLoader.Options opt) throws Exception {
        List<Batch> run;
        Map<String, Long> skips3;
        Map<String, Long> skips7;
        try (BatchLoader l = new BatchLoader(ds, PRE, opt)) {
            run = take(l, 3);
            skips3 = l.skipped();
            assertEquals(run.get(2).end(), l.position());
            run.addAll(take(l, 4));
            skips7 = l.skipped();
        }
        BatchLoader.Position after3 = run.get(2).end();
        assertTrue(run.get(6).end().epoch() >= 1, "7 batches of 3 cross into the second epoch: " + run.get(6).end());
        // Positions serialise as two longs.
        BatchLoader.Position restored = new BatchLoader.Position(after3.epoch(), after3.offset());
        assertEquals(after3, BatchLoader.Position.parse(after3.toString()));
        try (BatchLoader l = new BatchLoader(ds, PRE, opt.withStart(restored))) {
            for (int i = 3; i < 7; i++) {
                assertSameBatch(run.get(i), l.next(), "batch " + (i + 1));
            }
            // The resumed loader skipped exactly what the original skipped after batch 3.
            assertEquals(skips7, sum(skips3, l.skipped()));
        }
        assertTrue(skips7.values().stream().mapToLong(Long::longValue).sum() > 0, "the data has bad entries");
    }

    @Test
    void resumeFromAPositionReproducesTheBatchesForATable() throws Exception {
        ImageTextDataset ds = table();
        checkResume(ds, BatchLoader.Options.training(3, 1234));
        // The contract constructor agrees with the options form.
        try (BatchLoader a = new BatchLoader(ds, PRE, 3, 1234, null, 2);
             BatchLoader b = new BatchLoader(ds, PRE, BatchLoader.Options.training(3, 1234).withPrefetch(5))) {
            for (int i = 0; i < 4; i++) {
                assertSameBatch(a.next(), b.next(), "batch " + i);
            }
        }
    }

    @Test
    void resumeFromAPositionReproducesTheBatchesForShards() throws Exception {
        ImageTextDataset ds = shards();
        checkResume(ds, BatchLoader.Options.training(3, 99).withShuffleBuffer(5));
        checkResume(ds, BatchLoader.Options.training(3, 7).withShuffleBuffer(1000));
        // Resume at every batch boundary of the first 8 batches, with 2 worker threads.
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            BatchLoader.Options opt = BatchLoader.Options.training(3, 5).withShuffleBuffer(4).withWorkers(two);
            List<Batch> run;
            try (BatchLoader l = new BatchLoader(ds, PRE, opt)) {
                run = take(l, 8);
            }
            for (int k = 0; k < 7; k++) {
                try (BatchLoader l = new BatchLoader(ds, PRE, opt.withStart(run.get(k).end()))) {
                    assertSameBatch(run.get(k + 1), l.next(), "batch after " + (k + 1));
                }
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void sameSeedSameOrderOtherSeedOtherOrderEachEpochReshuffled() throws Exception {
        for (ImageTextDataset ds : List.of(table(), shards())) {
            int good = DataFixtures.drainSequential(ds, 8).captions().size(); // 20 for the table, 19 for the shards
            int batches = (2 * good + 3) / 4;
            BatchLoader.Options opt = BatchLoader.Options.training(4, 42).withShuffleBuffer(8);
            List<String> a = captions(ds, opt, batches);
            assertEquals(a, captions(ds, opt, batches), ds.spec());
            List<String> other = captions(ds, BatchLoader.Options.training(4, 43).withShuffleBuffer(8), batches);
            assertNotEquals(a, other, ds.spec());
            // Two epochs of the good images: each epoch has every image once, in another order.
            List<String> e0 = a.subList(0, good);
            List<String> e1 = a.subList(good, 2 * good);
            assertEquals(sorted(e0), sorted(e1), ds.spec());
            assertEquals(good, new java.util.HashSet<>(e0).size(), ds.spec());
            assertNotEquals(e0, e1, ds.spec());
            List<String> natural = captions(ds, BatchLoader.Options.training(good, 42).withShuffle(false), 1);
            assertEquals(sorted(natural), sorted(e0), ds.spec());
            assertNotEquals(natural, e0, ds.spec());
        }
    }

    @Test
    void finiteSequentialPassEndsWithAPartialBatch() throws Exception {
        ImageTextDataset ds = table();
        try (BatchLoader l = new BatchLoader(ds, PRE, BatchLoader.Options.sequential(6))) {
            List<Integer> sizes = new ArrayList<>();
            List<String> caps = new ArrayList<>();
            Batch b;
            while ((b = l.next()) != null) {
                sizes.add(b.size());
                caps.addAll(b.captions());
                assertEquals(b.size() * b.imageFloats(), b.pixels().length);
            }
            assertEquals(List.of(6, 6, 6, 2), sizes);
            assertEquals("picture 0", caps.get(0));
            assertEquals("picture 19", caps.get(19));
            assertNull(l.next());
            assertEquals(Map.of("corrupt_image", 1L, "missing_image", 1L, "missing_caption", 1L,
                    "path_outside_root", 1L, "caption_not_utf8", 1L), l.skipped());
        }
    }

    @Test
    void nextAfterCloseIsAnError() throws Exception {
        BatchLoader l = new BatchLoader(table(), PRE, 2, 0, null, 1);
        l.next();
        l.close();
        l.close();
        assertThrows(IllegalStateException.class, l::next);
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader.Position(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> BatchLoader.Options.training(0, 1));
    }

    private static List<String> captions(ImageTextDataset ds, BatchLoader.Options opt, int batches)
            throws InterruptedException {
        List<String> out = new ArrayList<>();
        try (BatchLoader l = new BatchLoader(ds, PRE, opt)) {
            for (Batch b : take(l, batches)) {
                out.addAll(b.captions());
            }
        }
        return out;
    }

    private static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        s.sort(null);
        return s;
    }
}
