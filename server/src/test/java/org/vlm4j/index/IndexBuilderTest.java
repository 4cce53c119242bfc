package org.vlm4j.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;

/** Index builds on a tiny Shapes collection: embeddings, incremental re-runs, updates, deletions, kill -9 resume. */
class IndexBuilderTest {
    @TempDir
    static Path tmp;
    static Path model;
    static String fingerprint;

    @BeforeAll
    static void fixtures() throws Exception {
        model = TinyFixtures.model(tmp.resolve("model"), 1);
        fingerprint = ModelFingerprint.of(model);
    }

    static IndexMeta meta(ImageTextEncoder enc) {
        return new IndexMeta(fingerprint, model.toString(), "clip", enc.embedDim(), List.of());
    }

    static List<Path> imagesOf(Path tsv) throws Exception {
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv).subList(1, Files.readAllLines(tsv).size())) {
            out.add(tsv.getParent().resolve(line.split("\t")[0]).toAbsolutePath().normalize());
        }
        return out;
    }

    @Test
    void buildsIncrementallyUpdatesChangedAndPrunesDeleted() throws Exception {
        Path tsv = TinyFixtures.shapes(tmp.resolve("shapes-a"), 30, 3);
        List<Path> images = imagesOf(tsv);
        try (VlmModel m = ModelDir.load(model)) {
            ImageTextEncoder enc = (ImageTextEncoder) m;
            IndexBuilder b = new IndexBuilder(enc);
            Path dir = tmp.resolve("index-a");
            try (VectorIndex idx = VectorIndex.openForWriting(dir, meta(enc))) {
                IndexBuilder.Report r = b.run(ImageTextDataset.open(tsv.toString()), idx,
                        new IndexBuilder.Options(5, 2, true), (d, t) -> {});
                assertEquals(images.size(), r.added());
                assertEquals(images.size(), idx.count());
                assertEquals(0, r.failed());
                // The stored vector is the model's embedding of the file: exact search by it finds the file itself.
                float[][] direct = enc.encodeImageFiles(images.subList(0, 3));
                for (int i = 0; i < 3; i++) {
                    SearchHit top = idx.exactSearch(direct[i], 1).get(0);
                    assertEquals(images.get(i).toString(), top.path());
                    assertEquals(1f, top.score(), 1e-4);
                    assertFalse(top.caption().isBlank());
                }
                assertTrue(idx.meta().roots().contains(tsv.getParent().toAbsolutePath().normalize().toString()));

                IndexBuilder.Report again = b.run(ImageTextDataset.open(tsv.toString()), idx,
                        new IndexBuilder.Options(5, 2, true), (d, t) -> {});
                assertEquals(0, again.added() + again.updated(), "nothing new: nothing embedded");
                assertEquals(images.size(), again.unchanged());

                // Change one image (another picture, new mtime), delete another from disk and table.
                mirror(images.get(1));
                Files.setLastModifiedTime(images.get(1), FileTime.fromMillis(System.currentTimeMillis() + 5000));
                List<String> rows = new ArrayList<>(Files.readAllLines(tsv));
                String gone = rows.remove(1 + 4).split("\t")[0];
                Files.delete(tsv.getParent().resolve(gone));
                Files.write(tsv, rows);
                IndexBuilder.Report third = b.run(ImageTextDataset.open(tsv.toString()), idx,
                        new IndexBuilder.Options(5, 2, true), (d, t) -> {});
                assertEquals(1, third.updated());
                assertEquals(0, third.added());
                assertEquals(1, third.deleted());
                assertEquals(images.size() - 1, idx.count());
                assertTrue(idx.get(images.get(4).toString()).isEmpty(), "the deleted image left the index");
                float[] changed = enc.encodeImageFiles(List.of(images.get(1)))[0];
                assertEquals(images.get(1).toString(), idx.exactSearch(changed, 1).get(0).path());
                assertEquals(1f, idx.exactSearch(changed, 1).get(0).score(), 1e-4);
            }
            // Another model's fingerprint is refused with a message naming both.
            IndexMeta other = new IndexMeta("0".repeat(64), "/elsewhere/model", "clip", enc.embedDim(), List.of());
            IndexMismatchException e = assertThrows(IndexMismatchException.class,
                    () -> VectorIndex.openForWriting(dir, other));
            assertTrue(e.getMessage().contains("another model") && e.getMessage().contains("/elsewhere/model"),
                    e.getMessage());
            assertThrows(IndexMismatchException.class,
                    () -> VectorIndex.openForReading(dir, "0".repeat(64), "/elsewhere/model"));
        }
    }

    /** Rewrites a PNG mirrored left to right: the same file, another picture. */
    static void mirror(Path png) throws Exception {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        java.awt.image.BufferedImage out = new java.awt.image.BufferedImage(img.getWidth(), img.getHeight(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                out.setRGB(img.getWidth() - 1 - x, y, img.getRGB(x, y));
            }
        }
        javax.imageio.ImageIO.write(out, "png", png.toFile());
    }

    @Test
    void aBadImageIsReportedAndTheRestIndexed() throws Exception {
        Path tsv = TinyFixtures.shapes(tmp.resolve("shapes-bad"), 10, 4);
        List<Path> images = imagesOf(tsv);
        Files.writeString(images.get(0), "this is not a png");
        try (VlmModel m = ModelDir.load(model)) {
            ImageTextEncoder enc = (ImageTextEncoder) m;
            try (VectorIndex idx = VectorIndex.openForWriting(tmp.resolve("index-bad"), meta(enc))) {
                IndexBuilder.Report r = new IndexBuilder(enc).run(ImageTextDataset.open(tsv.toString()), idx,
                        IndexBuilder.Options.defaults(), (d, t) -> {});
                assertEquals(1, r.failed());
                assertTrue(r.problems().get(0).contains(images.get(0).getFileName().toString()), r.problems().toString());
                assertEquals(images.size() - 1, idx.count());
            }
        }
    }

    @Test
    void resumesAfterKillMinus9WithoutDuplicatesOrLosses() throws Exception {
        Path tsv = TinyFixtures.shapes(tmp.resolve("shapes-kill"), 50, 5);
        List<Path> images = imagesOf(tsv);
        Path dir = tmp.resolve("index-kill");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                IndexBuildProcess.class.getName(), model.toString(), tsv.toString(), dir.toString())
                .redirectErrorStream(true);
        Process p = pb.start();
        int commits = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("embedded ") && !line.startsWith("embedded 0 ") && ++commits == 4) {
                    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no Lucene close
                    break;
                }
                assertFalse(line.equals("finished"), "the child finished before it could be killed");
            }
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(commits >= 4, "the child never got going");

        int before;
        try (VectorIndex idx = VectorIndex.openForReading(dir, fingerprint, model.toString())) {
            before = idx.count();
        }
        assertTrue(before > 0 && before < images.size(), "killed in the middle: " + before + " of " + images.size());
        try (VlmModel m = ModelDir.load(model)) {
            ImageTextEncoder enc = (ImageTextEncoder) m;
            try (VectorIndex idx = VectorIndex.openForWriting(dir, meta(enc))) {
                IndexBuilder.Report r = new IndexBuilder(enc).run(ImageTextDataset.open(tsv.toString()), idx,
                        new IndexBuilder.Options(8, 1, true), (d, t) -> {});
                assertEquals(before, r.unchanged(), "committed work is not redone");
                assertEquals(images.size() - before, r.added());
                assertEquals(images.size(), idx.count());
                Map<String, String> sigs = idx.signatures();
                Set<String> expected = new HashSet<>();
                images.forEach(x -> expected.add(x.toString()));
                assertEquals(expected, sigs.keySet(), "no losses");
                float[][] direct = enc.encodeImageFiles(images);
                for (int i = 0; i < images.size(); i++) {
                    SearchHit top = idx.exactSearch(direct[i], 1).get(0);
                    assertEquals(images.get(i).toString(), top.path());
                    assertEquals(1f, top.score(), 1e-4, "intact vector for " + images.get(i));
                }
            }
        }
        // No duplicates: each path is exactly one live Lucene document.
        try (var d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
            IndexSearcher s = new IndexSearcher(reader);
            assertEquals(images.size(), reader.numDocs());
            for (Path img : images) {
                assertEquals(1, s.count(new TermQuery(new Term(VectorIndex.PATH, img.toString()))), img.toString());
            }
        }
    }

    @Test
    void shardsAreIndexedByMember() throws Exception {
        Path dir = tmp.resolve("shapes-tar");
        var s = org.vlm4j.data.Shapes.generate(dir, org.vlm4j.data.Shapes.Config.of(20, 6).withSize(32)
                .withFormat(org.vlm4j.data.Shapes.Format.TAR).withShardSize(8));
        String spec = s.data().get("train");
        try (VlmModel m = ModelDir.load(model)) {
            ImageTextEncoder enc = (ImageTextEncoder) m;
            try (VectorIndex idx = VectorIndex.openForWriting(tmp.resolve("index-tar"), meta(enc))) {
                IndexBuilder.Report r = new IndexBuilder(enc).run(ImageTextDataset.open(spec), idx,
                        IndexBuilder.Options.defaults(), (d, t) -> {});
                assertEquals(16, r.added());
                String path = idx.signatures().keySet().iterator().next();
                assertTrue(path.contains(".tar:"), path);
                IndexedImage img = idx.get(path).orElseThrow();
                byte[] png = img.read();
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
                assertEquals(0, new IndexBuilder(enc).run(ImageTextDataset.open(spec), idx,
                        IndexBuilder.Options.defaults(), (d, t) -> {}).added());
            }
        }
    }
}
