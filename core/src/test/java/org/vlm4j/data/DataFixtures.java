package org.vlm4j.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;

/** Small images, tables and tar shards for the data tests. */
final class DataFixtures {
    static final ImagePreprocessor PRE = new ImagePreprocessor(PreprocessConfig.openaiClip(16));

    private DataFixtures() {}

    /** A 20x14 PNG whose pixels depend on {@code i} (so every image preprocesses differently). */
    static byte[] png(int i) {
        BufferedImage img = new BufferedImage(20, 14, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color((i * 37) % 256, (i * 91 + 40) % 256, (i * 53 + 100) % 256));
        g.fillRect(0, 0, 20, 14);
        g.setColor(new Color((i * 17 + 7) % 256, 255 - (i * 13) % 256, (i * 29) % 256));
        g.fillRect(i % 12, (i / 3) % 8, 6, 5);
        g.dispose();
        return PngEncoder.encode(img);
    }

    static Path writePng(Path file, int i) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png(i));
        return file;
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** A member of a test shard. */
    record Member(String name, byte[] data) {
        static Member text(String name, String s) {
            return new Member(name, s.getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] tar(List<Member> members) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bos)) {
            for (Member m : members) {
                TarArchiveEntry e = new TarArchiveEntry(m.name());
                e.setSize(m.data().length);
                tar.putArchiveEntry(e);
                tar.write(m.data());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bos.toByteArray();
    }

    /** Members for a good sample: {@code key.png} (image {@code i}) and {@code key.txt} ("caption i"). */
    static List<Member> good(String key, int i) {
        return List.of(new Member(key + ".png", png(i)), Member.text(key + ".txt", "caption " + i));
    }

    static List<Member> concat(List<List<Member>> parts) {
        List<Member> out = new ArrayList<>();
        parts.forEach(out::addAll);
        return out;
    }

    /** Everything a loader produced, flattened. */
    record Drained(List<Batch> batches, List<String> captions, Map<String, Long> skipped) {}

    /** Runs a finite loader to its end. */
    static Drained drain(ImageTextDataset data, BatchLoader.Options opt) throws InterruptedException {
        List<Batch> batches = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        try (BatchLoader l = new BatchLoader(data, PRE, opt)) {
            Batch b;
            while ((b = l.next()) != null) {
                batches.add(b);
                caps.addAll(b.captions());
            }
            return new Drained(batches, caps, l.skipped());
        }
    }

    static Drained drainSequential(ImageTextDataset data, int batchSize) throws InterruptedException {
        return drain(data, BatchLoader.Options.sequential(batchSize));
    }
}
