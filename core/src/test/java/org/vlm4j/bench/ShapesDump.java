package org.vlm4j.bench;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.vlm4j.data.Shapes;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * Dumps a Shapes folder (from {@code vlm4j data shapes}) as flat arrays for the PyTorch recipe sweep
 * ({@code bench/shapes_recipe_sweep.py}): per split, {@code SPLIT.u8.gz} (N x H x W x 3 pixels), and int32 token
 * rows (context 32, the BPE fitted to the training captions as the quickstart fits it) for several caption variants
 * of each scene: {@code full} (the caption), {@code neg} (the Shapes hard negative: first shape swapped),
 * {@code short} ("a large red circle": the first-named shape alone), {@code shortneg}, {@code colneg} (the caption
 * with the first shape's colour swapped, never to a held-out composition) and {@code shortcolneg}; {@code
 * SPLIT.label.i32} (colour-major class index of the first-named shape), {@code prompts.large.i32} and
 * {@code prompts.small.i32} ("a large {}" / "a small {}" for the 48 classes), and {@code meta.json}. Not a test.
 *
 * <pre>
 * mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vlm4j.bench.ShapesDump \
 *   -Dexec.arguments=DATA_DIR,OUT_DIR
 * </pre>
 */
public final class ShapesDump {
    private static final int CONTEXT = 32;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        Shapes.Config cfg = Shapes.Config.of(1, 0);
        List<String> colors = Shapes.COLORS;
        List<String> shapes = Shapes.SHAPES;
        Map<String, List<String[]>> splits = new LinkedHashMap<>();
        for (String split : List.of("train", "val", "heldout")) {
            splits.put(split, readTable(data.resolve(split + ".tsv")));
        }
        List<String> trainCaptions = new ArrayList<>();
        for (String[] r : splits.get("train")) {
            trainCaptions.add(r[1]);
        }
        ClipBpeTokenizer tok = BpeTrainer.of(1000).train(trainCaptions).tokenizer();
        Random rng = new Random(0);
        for (var e : splits.entrySet()) {
            List<String[]> rows = e.getValue();
            Map<String, List<String>> variants = new LinkedHashMap<>();
            for (String v : List.of("full", "neg", "short", "shortneg", "colneg", "shortcolneg")) {
                variants.put(v, new ArrayList<>());
            }
            int[] labels = new int[rows.size()];
            try (OutputStream px = new BufferedOutputStream(new GZIPOutputStream(
                    Files.newOutputStream(out.resolve(e.getKey() + ".u8.gz")), 1 << 16))) {
                for (int i = 0; i < rows.size(); i++) {
                    String[] r = rows.get(i);
                    BufferedImage img = ImageIO.read(data.resolve(r[0]).toFile());
                    byte[] rgb = new byte[img.getWidth() * img.getHeight() * 3];
                    int k = 0;
                    for (int y = 0; y < img.getHeight(); y++) {
                        for (int x = 0; x < img.getWidth(); x++) {
                            int p = img.getRGB(x, y);
                            rgb[k++] = (byte) (p >> 16);
                            rgb[k++] = (byte) (p >> 8);
                            rgb[k++] = (byte) p;
                        }
                    }
                    px.write(rgb);
                    String full = r[1];
                    String neg = r[13];
                    String color = r[2];
                    String shape = r[3];
                    labels[i] = colors.indexOf(color) * shapes.size() + shapes.indexOf(shape);
                    String other;
                    do {
                        other = colors.get(rng.nextInt(colors.size()));
                    } while (other.equals(color) || cfg.isHeldOut(other, shape));
                    String[] w = full.split(" ");
                    String[] cw = w.clone();
                    cw[2] = other; // "a <size> <colour> <shape> ..."
                    String colneg = String.join(" ", cw);
                    variants.get("full").add(full);
                    variants.get("neg").add(neg);
                    variants.get("short").add(firstWords(full));
                    variants.get("shortneg").add(firstWords(neg));
                    variants.get("colneg").add(colneg);
                    variants.get("shortcolneg").add(firstWords(colneg));
                }
            }
            for (var v : variants.entrySet()) {
                writeIds(out.resolve(e.getKey() + "." + v.getKey() + ".i32"), tok.tokenize(v.getValue(), CONTEXT));
            }
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(out.resolve(e.getKey() + ".label.i32"))))) {
                for (int l : labels) {
                    o.writeInt(Integer.reverseBytes(l));
                }
            }
        }
        for (String size : List.of("large", "small")) {
            List<String> prompts = new ArrayList<>();
            for (String c : colors) {
                for (String s : shapes) {
                    prompts.add("a " + size + " " + c + " " + s);
                }
            }
            writeIds(out.resolve("prompts." + size + ".i32"), tok.tokenize(prompts, CONTEXT));
        }
        List<Integer> heldOut = new ArrayList<>();
        for (int c = 0; c < colors.size(); c++) {
            for (int s = 0; s < shapes.size(); s++) {
                if (cfg.isHeldOut(c, s)) {
                    heldOut.add(c * shapes.size() + s);
                }
            }
        }
        Files.writeString(out.resolve("meta.json"), String.format(
                "{\"vocab\": %d, \"context\": %d, \"classes\": %d, \"heldout_classes\": %s, \"counts\": [%d, %d, %d]}%n",
                tok.vocabSize(), CONTEXT, colors.size() * shapes.size(), heldOut, splits.get("train").size(),
                splits.get("val").size(), splits.get("heldout").size()));
    }

    private static String firstWords(String caption) {
        return String.join(" ", Arrays.copyOf(caption.split(" "), 4));
    }

    private static List<String[]> readTable(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        if (!lines.get(0).startsWith("image\ttext\tcolor\tshape")) {
            throw new IllegalArgumentException(tsv + ": not a Shapes table");
        }
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            rows.add(l.split("\t", -1));
        }
        return rows;
    }

    private static void writeIds(Path file, long[][] ids) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (long[] row : ids) {
                for (long v : row) {
                    o.writeInt(Integer.reverseBytes((int) v));
                }
            }
        }
    }
}
