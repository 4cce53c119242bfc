package org.vlm4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.ImageTokenizer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokenize-image", mixinStandardHelpOptions = true,
        description = "Turn images into grids of discrete codes with an image tokenizer (a trained VQ-VAE);"
                + " detokenize-image turns them back into images.")
final class TokenizeImageCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (family vqvae)")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the codes as JSON to FILE (the input of"
            + " detokenize-image --codes)")
    Path out;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + ": image file does not exist");
            }
        }
        try (VlmModel m = Cli.load(model)) {
            ImageTokenizer t = Cli.imageTokenizer(m, model);
            int[][] codes = t.tokenizeFiles(images);
            Map<String, Object> doc = CodesFile.toJson(model, t, images.stream().map(Path::toString).toList(), codes);
            if (out != null) {
                AtomicFiles.writeString(out, Cli.JSON.writeValueAsString(doc));
            }
            var w = spec.commandLine().getOut();
            if (json.json) {
                Cli.printJson(w, doc);
            } else {
                for (int i = 0; i < images.size(); i++) {
                    w.printf("%s: %dx%d codes, %d distinct%n", images.get(i), t.gridHeight(), t.gridWidth(),
                            Arrays.stream(codes[i]).distinct().count());
                }
                if (out != null) {
                    w.printf("codes written to %s%n", out);
                }
            }
        }
        return 0;
    }
}
