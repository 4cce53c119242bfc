package org.vlm4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed images and/or texts (L2-normalised) into a safetensors file: image_embeds, text_embeds and,"
                + " when both are given, logits_per_image.")
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory")
    Path model;

    @Option(names = "--image", description = "an image file (repeatable)")
    List<Path> images = new ArrayList<>();

    @Option(names = "--pixels", description = "safetensors with one F32 tensor pixel_values [N,3,H,W], already preprocessed")
    Path pixels;

    @Option(names = "--text", description = "a text (repeatable)")
    List<String> texts = new ArrayList<>();

    @Option(names = "--texts-file", description = "a UTF-8 file with one text per line")
    Path textsFile;

    @Option(names = "--out", required = true, description = "the safetensors file to write")
    Path out;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> allTexts = new ArrayList<>(texts);
        if (textsFile != null) {
            if (!Files.isRegularFile(textsFile)) {
                throw new IllegalArgumentException(textsFile + ": texts file does not exist");
            }
            allTexts.addAll(Files.readAllLines(textsFile));
        }
        if (images.isEmpty() && pixels == null && allTexts.isEmpty()) {
            throw new IllegalArgumentException("nothing to embed: give --image, --pixels, --text or --texts-file");
        }
        try (VlmModel m = Cli.load(model)) {
            ImageTextEncoder enc = Cli.encoder(m, model);
            List<float[]> imageRows = new ArrayList<>();
            if (!images.isEmpty()) {
                imageRows.addAll(List.of(enc.encodeImageFiles(images)));
            }
            if (pixels != null) {
                imageRows.addAll(List.of(encodePixelFile(enc)));
            }
            float[][] img = imageRows.toArray(new float[0][]);
            float[][] txt = allTexts.isEmpty() ? new float[0][] : enc.encodeTexts(allTexts);
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            if (img.length > 0) {
                tensors.put("image_embeds", matrix(img));
            }
            if (txt.length > 0) {
                tensors.put("text_embeds", matrix(txt));
            }
            if (img.length > 0 && txt.length > 0) {
                tensors.put("logits_per_image", matrix(enc.logits(img, txt)));
            }
            SafeTensors.write(out, tensors, Map.of("producer", "vlm4j embed", "model", model.toString()));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("images", img.length);
            r.put("texts", txt.length);
            r.put("embed_dim", enc.embedDim());
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("wrote %d image and %d text embeddings (dim %d) to %s%n", img.length,
                        txt.length, enc.embedDim(), out);
            }
        }
        return 0;
    }

    private float[][] encodePixelFile(ImageTextEncoder enc) throws Exception {
        try (SafeTensors st = SafeTensors.open(pixels)) {
            if (!st.contains("pixel_values")) {
                throw new IllegalArgumentException(pixels + ": has no tensor 'pixel_values' (found " + st.names() + ")");
            }
            long[] s = st.entry("pixel_values").shape();
            if (s.length != 4 || s[1] != 3) {
                throw new IllegalArgumentException(pixels + ": pixel_values must be [N,3,H,W], got "
                        + java.util.Arrays.toString(s));
            }
            return enc.encodePixels(st.get("pixel_values").toFloats(), (int) s[0], (int) s[2], (int) s[3]);
        }
    }

    static TensorData matrix(float[][] rows) {
        int d = rows[0].length;
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return TensorData.ofFloats(flat, rows.length, d);
    }
}
