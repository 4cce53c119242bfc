package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vlm4j.data.DataFixtures.PRE;
import static org.vlm4j.data.DataFixtures.concat;
import static org.vlm4j.data.DataFixtures.drainSequential;
import static org.vlm4j.data.DataFixtures.good;
import static org.vlm4j.data.DataFixtures.png;
import static org.vlm4j.data.DataFixtures.tar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.DataFixtures.Drained;
import org.vlm4j.data.DataFixtures.Member;
import org.vlm4j.image.ImageDecoder;

/** WebDataset tar shards: grouping, patterns, and every kind of damage. */
class ShardDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void samplesGroupByKeyAcrossShardsOfABracePattern() throws Exception {
        Files.write(tmp.resolve("s-00.tar"), tar(concat(List.of(good("0000", 0), good("dir/0001", 1)))));
        Files.write(tmp.resolve("s-01.tar"), tar(concat(List.of(
                List.of(new Member("0002.jpg.png", png(2))), // extension "jpg.png" is not an image extension
                List.of(new Member("0003.PNG", png(3)), Member.text("0003.TXT", "  caption 3 \n"),
                        Member.text("0003.cls", "42"), Member.text("0003.json", "{\"a\":1}"))))));
        ImageTextDataset ds = ImageTextDataset.open(tmp.resolve("s-{00..01}.tar").toString());
        assertEquals(ImageTextDataset.Kind.SHARDS, ds.kind());
        assertEquals(2, ds.shards().size());
        Drained d = drainSequential(ds, 8);
        assertEquals(List.of("caption 0", "caption 1", "caption 3"), d.captions());
        Batch b = d.batches().get(0);
        assertEquals(Map.of("__key__", "dir/0001", "__shard__", "s-00.tar"), b.meta().get(1));
        assertEquals(Map.of("__key__", "0003", "__shard__", "s-01.tar", "cls", "42", "json", "{\"a\":1}"),
                b.meta().get(2));
        // The image bytes were found at the right offsets: pixels equal decoding the original PNGs.
        int per = PRE.imageFloats();
        for (int i = 0; i < 3; i++) {
            int img = new int[] {0, 1, 3}[i];
            float[] want = PRE.preprocess(ImageDecoder.defaults().decode(png(img), "x"));
            assertArrayEquals(want, Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per), "image " + img);
        }
        assertEquals(Map.of("missing_image", 1L), d.skipped()); // 0002: its only member is not an image
    }

    @Test
    void damagedShardsAreSkippedWithCountsAndTheLoaderContinues() throws Exception {
        byte[] nonUtf8 = {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xfe};
        Files.write(tmp.resolve("d-0.tar"), tar(concat(List.of(
                good("0000", 0),
                List.of(new Member("0001.png", new byte[0]), Member.text("0001.txt", "zero-byte image")),
                List.of(Member.text("0002.txt", "caption without image")),
                List.of(new Member("0003.png", png(3))),                                 // no caption
                List.of(new Member("0004.png", png(4)), new Member("0004.txt", nonUtf8)),
                List.of(new Member("../0005.png", png(5)), Member.text("../0005.txt", "escaping name")),
                good("0006", 6)))));
        // A valid shard cut in the middle of its third image.
        byte[] full = tar(concat(List.of(good("0007", 7), good("0008", 8), good("0009", 9), good("0010", 10))));
        int cut = indexOf(full, png(9)) + png(9).length / 2;
        Files.write(tmp.resolve("d-1.tar"), Arrays.copyOf(full, cut));
        Files.write(tmp.resolve("d-2.tar"), tar(good("0011", 11)));
        // d-3.tar is named by the pattern but does not exist.
        ImageTextDataset ds = ImageTextDataset.open(tmp.resolve("d-{0..3}.tar").toString());
        Drained d = drainSequential(ds, 2);
        assertEquals(List.of("caption 0", "caption 6", "caption 7", "caption 8", "caption 11"), d.captions());
        assertEquals(Map.of("corrupt_image", 1L, "missing_image", 1L, "missing_caption", 1L, "caption_not_utf8", 1L,
                "path_outside_root", 1L, "truncated_shard", 1L, "missing_shard", 1L), d.skipped());
        assertEquals(List.of(2, 2, 1), d.batches().stream().map(Batch::size).toList());
    }

    @Test
    void truncationInAHeaderOrAtAMemberBoundaryIsCounted() throws Exception {
        byte[] full = tar(concat(List.of(good("0000", 0), good("0001", 1), good("0002", 2))));
        int third = indexOf(full, png(2)) - 512; // start of 0002.png's header
        Files.write(tmp.resolve("h-0.tar"), Arrays.copyOf(full, third + 100)); // inside the header
        Files.write(tmp.resolve("h-1.tar"), Arrays.copyOf(full, third)); // at a boundary, no end-of-archive block
        Files.write(tmp.resolve("h-2.tar"), new byte[0]); // empty file
        for (int k = 0; k < 3; k++) {
            Drained d = drainSequential(ImageTextDataset.open(tmp.resolve("h-" + k + ".tar").toString()), 4);
            // The sample being read when the shard broke (0001, whose members are complete here) is lost with it.
            assertEquals(k == 2 ? List.of() : List.of("caption 0"), d.captions(), "h-" + k);
            assertEquals(Map.of("truncated_shard", 1L), d.skipped(), "h-" + k);
        }
    }

    @Test
    void aFolderOfTarFilesIsReadAsShards() throws Exception {
        Path dir = tmp.resolve("shards");
        Files.createDirectories(dir);
        Files.write(dir.resolve("b.tar"), tar(good("1", 1)));
        Files.write(dir.resolve("a.tar"), tar(good("0", 0)));
        ImageTextDataset ds = ImageTextDataset.open(dir.toString());
        assertEquals(ImageTextDataset.Kind.SHARDS, ds.kind());
        assertEquals(List.of("caption 0", "caption 1"), drainSequential(ds, 4).captions());
        // Globs in the file name work too.
        assertEquals(List.of("caption 0", "caption 1"),
                drainSequential(ImageTextDataset.open(dir.resolve("*.tar").toString()), 4).captions());
    }

    @Test
    void aShardOfOnlyBadSamplesFailsTheEndlessLoaderWithAClearMessage() throws Exception {
        Files.write(tmp.resolve("bad.tar"), tar(List.of(new Member("0.png", new byte[0]),
                Member.text("0.txt", "x"))));
        ImageTextDataset ds = ImageTextDataset.open(tmp.resolve("bad.tar").toString());
        try (BatchLoader l = new BatchLoader(ds, PRE, 2, 0, null, 1)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    l::next);
            assertTrue(e.getMessage().contains("bad.tar") && e.getMessage().contains("corrupt_image=1"),
                    e.getMessage());
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

}
