package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vlm4j.io.convert.ClipImporter;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a vlm4j CLIP / SigLIP model under OpenCLIP or HuggingFace key names (safetensors + config).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory")
    Path model;

    @Option(names = "--format", required = true, description = "openclip or hf")
    String format;

    @Option(names = "--out", required = true, description = "directory for model.safetensors and the config")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClipImporter.Format f = ClipImporter.parseFormat(format);
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof Clip clip)) {
                throw new IllegalArgumentException(model + ": only clip and siglip models can be exported");
            }
            ClipImporter.export(clip, f, out);
        }
        spec.commandLine().getOut().println("exported " + model + " as " + format + " into " + out);
        return 0;
    }
}
