package org.vlm4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.Shapes;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.ImageTokenizer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "detokenize-image", mixinStandardHelpOptions = true,
        description = "Decode grids of image codes (the JSON of tokenize-image) into PNG images.")
final class DetokenizeImageCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (family vqvae)")
    Path model;

    @Option(names = "--codes", required = true, paramLabel = "FILE", description = "codes JSON from tokenize-image")
    Path codes;

    @Option(names = "--out", required = true, paramLabel = "DIR|PNG", description = "a directory (one NNNNNN.png per"
            + " entry, in file order) or, for a single entry, a .png file")
    Path out;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (VlmModel m = Cli.load(model)) {
            ImageTokenizer t = Cli.imageTokenizer(m, model);
            List<CodesFile.Entry> entries = CodesFile.read(codes, t);
            boolean single = out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
            if (single && entries.size() != 1) {
                throw new IllegalArgumentException("--out " + out + ": " + codes + " holds " + entries.size()
                        + " images; give a directory");
            }
            if (!single && Files.exists(out) && !Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + ": exists and is not a directory");
            }
            int[][] grid = entries.stream().map(CodesFile.Entry::codes).toArray(int[][]::new);
            List<BufferedImage> pictures = t.detokenizeImages(grid);
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < pictures.size(); i++) {
                Path png = single ? out : out.resolve(String.format(Locale.ROOT, "%06d.png", i));
                AtomicFiles.writeBytes(png, Shapes.png(pictures.get(i)));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", entries.get(i).image());
                r.put("png", png.toString());
                results.add(r);
            }
            var w = spec.commandLine().getOut();
            if (json.json) {
                Cli.printJson(w, Map.of("results", results));
            } else {
                w.printf("wrote %d %dx%d image%s to %s%n", pictures.size(), t.imageSize(), t.imageSize(),
                        pictures.size() == 1 ? "" : "s", out);
            }
        }
        return 0;
    }
}
