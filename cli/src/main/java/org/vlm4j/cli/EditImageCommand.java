package org.vlm4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.image.RgbImages;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.nn.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "edit-image", mixinStandardHelpOptions = true,
        description = "Edit an image by a text instruction with an instruction-tuned early-fusion model"
                + " (fusion-instruct-tiny), e.g. --text \"make the circle blue\".")
final class EditImageCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (an instruction-tuned fusion"
            + " model)")
    Path model;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "the image to edit")
    Path image;

    @Option(names = "--text", required = true, description = "the instruction, e.g. \"make the circle blue\"")
    String text;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "the PNG file to write")
    Path out;

    @Mixin
    CodeSamplingOptions sampling;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (text.isBlank()) {
            throw new IllegalArgumentException("--text is empty");
        }
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image " + image + ": no such file");
        }
        GenerationConfig gen = sampling.generation();
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof FusionModel f)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot edit images (an"
                        + " instruction-tuned fusion model can)");
            }
            int size = f.imageSize();
            float[] pixels = f.preprocessor().preprocessBatch(List.of(image), ImageWorkers.shared());
            float[] edited = f.editImages(pixels, 1, size, size, List.of(text), gen)[0];
            AtomicFiles.writeBytes(out, Shapes.png(RgbImages.fromUnitChw(edited, size, size)));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image.toString());
            r.put("text", text);
            r.put("png", out.toString());
            r.put("size", size);
            r.put("seed", sampling.seed);
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("wrote %s edited by \"%s\" to %s%n", image, text, out);
            }
        }
        return 0;
    }
}
