package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vlm4j.data.DataFixtures.PRE;
import static org.vlm4j.data.DataFixtures.drainSequential;
import static org.vlm4j.data.DataFixtures.write;
import static org.vlm4j.data.DataFixtures.writePng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.DataFixtures.Drained;

/** Tables, image folders, data specs and shard patterns. */
class ImageTextDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void tsvWithHeaderKeepsExtraColumnsAsMetadata() throws Exception {
        writePng(tmp.resolve("d/imgs/a.png"), 1);
        writePng(tmp.resolve("d/imgs/b.png"), 2);
        Path tsv = write(tmp.resolve("d/list.tsv"),
                "label\timage\ttext\tnote\n7\timgs/a.png\ta red \"thing\"\tfirst\n8\timgs/b.png\tsecond one\t\n");
        ImageTextDataset ds = ImageTextDataset.open(tsv.toString());
        assertEquals(ImageTextDataset.Kind.TABLE, ds.kind());
        assertEquals(2, ds.size().getAsLong());
        Drained d = drainSequential(ds, 5);
        assertEquals(List.of("a red \"thing\"", "second one"), d.captions());
        Batch b = d.batches().get(0);
        assertEquals(2, b.size());
        assertEquals(16, b.height());
        assertEquals(Map.of("__key__", "imgs/a.png", "label", "7", "note", "first"), b.meta().get(0));
        assertEquals(Map.of("__key__", "imgs/b.png", "label", "8", "note", ""), b.meta().get(1));
        float[] a = PRE.preprocess(tmp.resolve("d/imgs/a.png"));
        assertArrayEquals(a, Arrays.copyOfRange(b.pixels(), 0, a.length));
        assertEquals(2 * a.length, b.pixels().length);
        assertEquals(Map.of(), d.skipped());
    }

    @Test
    void captionColumnAndCaseInsensitiveHeader() throws Exception {
        writePng(tmp.resolve("a.png"), 1);
        Path tsv = write(tmp.resolve("c.tsv"), "Caption\tIMAGE\nhello there\ta.png\n");
        assertEquals(List.of("hello there"), drainSequential(ImageTextDataset.open(tsv.toString()), 2).captions());
        Path bad = write(tmp.resolve("bad.tsv"), "image\tlabel\na.png\tx\n");
        DataSpecException e = assertThrows(DataSpecException.class, () -> ImageTextDataset.open(bad.toString()));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("'text'"), e.getMessage());
    }

    @Test
    void tsvWithoutHeaderNamesExtraColumnsByIndex() throws Exception {
        writePng(tmp.resolve("a.png"), 1);
        writePng(tmp.resolve("sub/b.png"), 2);
        Path tsv = write(tmp.resolve("plain.tsv"), "\uFEFFa.png\tone\textra\r\n\r\nsub/b.png\ttwo\n");
        Drained d = drainSequential(ImageTextDataset.open(tsv.toString()), 4);
        assertEquals(List.of("one", "two"), d.captions());
        assertEquals(Map.of("__key__", "a.png", "col2", "extra"), d.batches().get(0).meta().get(0));
    }

    @Test
    void tablePathsWithGlobCharactersAreStillTables() throws Exception {
        writePng(tmp.resolve("run[1]/a.png"), 1);
        Path tsv = write(tmp.resolve("run[1]/list?.tsv"), "a.png\tone\n");
        assertEquals(List.of("one"), drainSequential(ImageTextDataset.open(tsv.toString()), 2).captions());
        assertEquals(ImageTextDataset.Kind.FOLDER, ImageTextDataset.open(tmp.toString()).kind());
    }

    @Test
    void csvWithQuotes() throws Exception {
        writePng(tmp.resolve("x/b.png"), 3);
        writePng(tmp.resolve("x/c d.png"), 4);
        Path csv = write(tmp.resolve("x/t.csv"), "image,caption,note\n"
                + "\"b.png\",\"a cat, on a \"\"mat\"\"\",n1\n"
                + "c d.png,\"two\nlines\",\"x,y\"\n");
        Drained d = drainSequential(ImageTextDataset.open(csv.toString()), 4);
        assertEquals(List.of("a cat, on a \"mat\"", "two\nlines"), d.captions());
        assertEquals("x,y", d.batches().get(0).meta().get(1).get("note"));
    }

    @Test
    void relativePathsResolveAgainstTheTablesFolder() throws Exception {
        writePng(tmp.resolve("root/a.png"), 1);
        writePng(tmp.resolve("root/deep/er/b.png"), 2);
        Path tsv = write(tmp.resolve("root/t.tsv"), "./a.png\tone\ndeep/er/../er/b.png\ttwo\n");
        // Opened through a relative-looking spec with .. in it: still resolved against the table's own folder.
        String spec = tmp.resolve("root/deep/../t.tsv").toString();
        Drained d = drainSequential(ImageTextDataset.open(spec), 4);
        assertEquals(List.of("one", "two"), d.captions());
        float[] b = PRE.preprocess(tmp.resolve("root/deep/er/b.png"));
        assertArrayEquals(b, Arrays.copyOfRange(d.batches().get(0).pixels(), b.length, 2 * b.length));
    }

    @Test
    void pathsEscapingTheRootAreRefusedEvenIfTheFileExists() throws Exception {
        writePng(tmp.resolve("secret.png"), 9);
        writePng(tmp.resolve("root/ok.png"), 1);
        Path tsv = write(tmp.resolve("root/t.tsv"), "../secret.png\tescape\n"
                + tmp.resolve("secret.png").toAbsolutePath() + "\tabsolute\n"
                + "sub/../../secret.png\tsneaky\n"
                + "ok.png\tfine\n");
        BatchLoader.Options opt = BatchLoader.Options.sequential(4);
        try (BatchLoader l = new BatchLoader(ImageTextDataset.open(tsv.toString()), PRE, opt)) {
            Batch b = l.next();
            assertEquals(List.of("fine"), b.captions());
            assertEquals(null, l.next());
            assertEquals(Map.of("path_outside_root", 3L), l.skipped());
            assertTrue(l.skippedExamples().get("path_outside_root").contains("../secret.png"));
        }
    }

    @Test
    void badRowsAreSkippedAndCounted() throws Exception {
        writePng(tmp.resolve("a.png"), 1);
        writePng(tmp.resolve("b.png"), 2);
        Files.write(tmp.resolve("empty.png"), new byte[0]);
        byte[] good = DataFixtures.png(3);
        Files.write(tmp.resolve("cut.png"), Arrays.copyOf(good, good.length / 2));
        Files.write(tmp.resolve("t.tsv"), concat(
                "a.png\tone\n",
                "missing.png\tgone\n",
                "empty.png\tzero bytes\n",
                "cut.png\ttruncated\n",
                "b.png\n",
                "b.png\t   \n",
                "\tno image\n"));
        byte[] bad = concat("b.png\tbad ", "\n");
        byte[] withFf = new byte[bad.length + 2];
        System.arraycopy(bad, 0, withFf, 0, bad.length - 1);
        withFf[bad.length - 1] = (byte) 0xff;
        withFf[bad.length] = (byte) 0xfe;
        withFf[bad.length + 1] = '\n';
        Files.write(tmp.resolve("t.tsv"), withFf, java.nio.file.StandardOpenOption.APPEND);
        Files.write(tmp.resolve("t.tsv"), concat("b.png\ttwo\n"), java.nio.file.StandardOpenOption.APPEND);
        Drained d = drainSequential(ImageTextDataset.open(tmp.resolve("t.tsv").toString()), 3);
        assertEquals(List.of("one", "two"), d.captions());
        assertEquals(Map.of("corrupt_image", 2L, "missing_image", 2L, "missing_caption", 2L, "caption_not_utf8", 1L),
                d.skipped());
    }

    @Test
    void unterminatedCsvQuoteKeepsTheRowsBefore() throws Exception {
        writePng(tmp.resolve("a.png"), 1);
        Path csv = write(tmp.resolve("q.csv"), "a.png,fine\na.png,\"never closed\na.png,lost\n");
        Drained d = drainSequential(ImageTextDataset.open(csv.toString()), 3);
        assertEquals(List.of("fine"), d.captions());
        assertEquals(Map.of("malformed_table", 1L), d.skipped());
    }

    @Test
    void imageFolderOneClassPerFolder() throws Exception {
        Path root = tmp.resolve("folder");
        writePng(root.resolve("red_circle/1.png"), 1);
        writePng(root.resolve("red_circle/2.PNG"), 2);
        writePng(root.resolve("blue/x.png"), 3);
        writePng(root.resolve("blue/nested/y.png"), 4);
        writePng(root.resolve(".hidden/z.png"), 5);
        writePng(root.resolve("blue/.skip.png"), 6);
        write(root.resolve("blue/notes.txt"), "not an image");
        write(root.resolve("README.txt"), "top-level files are ignored");
        Files.createDirectories(root.resolve("empty_class"));
        ImageTextDataset ds = ImageTextDataset.open(root.toString());
        assertEquals(ImageTextDataset.Kind.FOLDER, ds.kind());
        assertEquals(List.of("blue", "red_circle"), ds.classNames());
        assertEquals(4, ds.size().getAsLong());
        Drained d = drainSequential(ds, 10);
        assertEquals(List.of("blue", "blue", "red circle", "red circle"), d.captions());
        List<Map<String, String>> meta = d.batches().get(0).meta();
        assertEquals(Map.of("__key__", "blue/nested/y.png", "class", "blue", "label", "0"), meta.get(0));
        assertEquals(Map.of("__key__", "red_circle/2.PNG", "class", "red_circle", "label", "1"), meta.get(3));
    }

    @Test
    void specsThatMatchNothingAreErrorsNamingTheSpec() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        write(tmp.resolve("header-only.tsv"), "image\ttext\n");
        write(tmp.resolve("notes.json"), "{}");
        String[] specs = {
            tmp.resolve("nope.tsv").toString(),
            tmp.resolve("nope.csv").toString(),
            tmp.resolve("no-such-dir").toString(),
            tmp.resolve("empty").toString(),
            tmp.resolve("header-only.tsv").toString(),
            tmp.resolve("shards-{000..003}.tar").toString(),
            tmp.resolve("one.tar").toString(),
            tmp.resolve("*.tar").toString(),
            tmp.resolve("notes.json").toString(),
            tmp.resolve("bad-{1..2.tar").toString(),
        };
        for (String spec : specs) {
            DataSpecException e = assertThrows(DataSpecException.class, () -> ImageTextDataset.open(spec), spec);
            assertTrue(e.getMessage().startsWith("data spec '" + spec + "'"), e.getMessage());
            assertEquals(spec, e.spec());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void braceExpansion() {
        assertEquals(List.of("d-000.tar", "d-001.tar", "d-002.tar"), ShardPatterns.expandBraces("d-{000..002}.tar"));
        assertEquals(List.of("a-1", "a-2", "b-1", "b-2"), ShardPatterns.expandBraces("{a,b}-{1..2}"));
        assertEquals(List.of("x3", "x2", "x1"), ShardPatterns.expandBraces("x{3..1}"));
        assertEquals(List.of("08", "09", "10"), ShardPatterns.expandBraces("{08..10}"));
        assertEquals(List.of("a/s1.tar", "b/s0.tar"), ShardPatterns.expandBraces("a/s1.tar::b/s0.tar"));
        assertEquals(List.of("p-{x}.tar"), ShardPatterns.expandBraces("p-{x}.tar"));
        assertEquals(List.of("n1a", "n1b", "n2"), ShardPatterns.expandBraces("n{1{a,b},2}"));
        assertEquals(128, ShardPatterns.expandBraces("data-{000..127}.tar").size());
        assertEquals("data-127.tar", ShardPatterns.expandBraces("data-{000..127}.tar").get(127));
        assertThrows(IllegalArgumentException.class, () -> ShardPatterns.expandBraces("a{1..2"));
        assertThrows(IllegalArgumentException.class, () -> ShardPatterns.expandBraces("a}b"));
        assertThrows(IllegalArgumentException.class, () -> ShardPatterns.expandBraces("{0..99999999}"));
    }

    @Test
    void insideRootIsLexical() {
        assertTrue(ImageTextDataset.insideRoot("a.png"));
        assertTrue(ImageTextDataset.insideRoot("a/../b.png"));
        assertTrue(ImageTextDataset.insideRoot("./a/b.png"));
        assertFalse(ImageTextDataset.insideRoot("../a.png"));
        assertFalse(ImageTextDataset.insideRoot("a/../../b.png"));
        assertFalse(ImageTextDataset.insideRoot("/etc/passwd"));
        assertFalse(ImageTextDataset.insideRoot("C:\\x.png"));
        assertFalse(ImageTextDataset.insideRoot(".."));
    }

    private static byte[] concat(String... lines) {
        return String.join("", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

}
