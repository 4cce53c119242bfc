package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vlm4j data shapes} and {@code vlm4j data check} end to end, and their answers to bad input. */
class DataCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        int code = Main.run(a, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shapesJsonThenCheckTheWrittenData() throws Exception {
        Path out = tmp.resolve("shapes");
        Result r = run("data", "shapes", "--out", out, "--count", "50", "--seed", "3", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(out.toString(), j.get("out").asText());
        assertEquals(40, j.get("train").asInt());
        assertEquals(5, j.get("val").asInt());
        assertEquals(5, j.get("heldout").asInt());
        assertEquals(5, j.get("winoground").asInt());
        for (String f : new String[] {"train.tsv", "val.tsv", "heldout.tsv", "winoground.tsv", "classes.txt",
                "shapes.json", "images/train/000039.png", "images/winoground/00004-1.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(6, Files.readAllLines(out.resolve("heldout.tsv")).size());

        Result c = run("data", "check", "--data", out.resolve("train.tsv"), "--json");
        assertEquals(0, c.code(), c.err());
        JsonNode cj = JSON.readTree(c.out());
        assertEquals(40, cj.get("images").asInt());
        assertEquals(0, cj.get("skipped").size());
        assertEquals("table", cj.get("kind").asText());
    }

    @Test
    void shapesAsTarShards() throws Exception {
        Path out = tmp.resolve("tar");
        Result r = run("data", "shapes", "--out", out, "--count", "30", "--format", "tar", "--shard-size", "10",
                "--size", "32", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        String train = j.get("data").get("train").asText();
        assertEquals(out.resolve("train-{0000..0002}.tar").toString(), train);
        Result c = run("data", "check", "--data", train, "--size", "32");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("24 usable images"), c.out());
        // Human-readable output names the held-out compositions.
        Result h = run("data", "shapes", "--out", tmp.resolve("plain"), "--count", "10");
        assertEquals(0, h.code(), h.err());
        assertTrue(h.out().contains("red circle"), h.out());
    }

    /** Writes an IDX pair of n 5x4 images (pixel = 10 * label) in the MNIST layout, gzipped. */
    static void writeIdx(Path images, Path labels, int[] y) throws Exception {
        try (var img = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(images)));
             var lab = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(labels)))) {
            img.writeInt(0x803);
            img.writeInt(y.length);
            img.writeInt(5);
            img.writeInt(4);
            lab.writeInt(0x801);
            lab.writeInt(y.length);
            for (int v : y) {
                for (int k = 0; k < 20; k++) {
                    img.writeByte(10 * v);
                }
                lab.writeByte(v);
            }
        }
    }

    @Test
    void idxToCaptionedShards() throws Exception {
        Path images = tmp.resolve("imgs.gz");
        Path labels = tmp.resolve("labs.gz");
        writeIdx(images, labels, new int[] {0, 2, 1, 2, 0, 1, 1});
        Result r = run("data", "idx", "--images", images, "--labels", labels, "--classes", "tee,coat,bag", "--out",
                tmp.resolve("idx"), "--name", "train", "--shard-size", "3", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(7, j.get("count").asInt());
        assertEquals(tmp.resolve("idx/train-{0000..0002}.tar").toString(), j.get("data").asText());
        Result c = run("data", "check", "--data", j.get("data").asText(), "--size", "8");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("7 usable images"), c.out());
        org.vlm4j.data.ImageTextDataset ds = org.vlm4j.data.ImageTextDataset.open(j.get("data").asText());
        try (var loader = new org.vlm4j.data.BatchLoader(ds, new org.vlm4j.image.ImagePreprocessor(
                new org.vlm4j.image.ImagePreprocessor.PreprocessConfig(8, new float[] {0, 0, 0},
                        new float[] {1, 1, 1}, "bicubic", "squash", false)), org.vlm4j.data.BatchLoader.Options.sequential(7))) {
            org.vlm4j.data.Batch b = loader.next();
            assertEquals(java.util.List.of("a photo of a tee", "a photo of a bag", "a photo of a coat",
                    "a photo of a bag", "a photo of a tee", "a photo of a coat", "a photo of a coat"), b.captions());
            assertEquals("bag", b.meta().get(1).get("class"));
            assertEquals(20 / 255f, b.pixels()[b.imageFloats() * 1], 1e-6, "grey 20 on every channel");
        }

        Result bad = run("data", "idx", "--images", labels, "--labels", labels, "--classes", "a,b,c", "--out",
                tmp.resolve("bad"));
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("labs.gz") && bad.err().contains("not an IDX image file"), bad.err());
        Result few = run("data", "idx", "--images", images, "--labels", labels, "--classes", "a,b", "--out",
                tmp.resolve("few"));
        assertTrue(few.code() != 0 && few.err().contains("label 2"), few.err());
    }

    @Test
    void badInputIsOneLine() {
        Result r = run("data", "check", "--data", tmp.resolve("nothing-{0..3}.tar"));
        assertEquals(1, r.code());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("nothing-{0..3}.tar") && err.contains("matches nothing"), err);

        Result bad = run("data", "shapes", "--out", tmp.resolve("x"), "--count", "0");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("count must be positive"), bad.err());
        Result fmt = run("data", "shapes", "--out", tmp.resolve("x"), "--count", "5", "--format", "zip");
        assertEquals(2, fmt.code(), fmt.err());
        assertTrue(fmt.err().contains("--format must be tsv or tar"), fmt.err());
    }
}
