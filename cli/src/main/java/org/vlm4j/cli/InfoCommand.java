package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true, description = "What a model directory holds and can do.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory")
    Path model;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (VlmModel m = Cli.load(model)) {
            List<String> caps = new ArrayList<>();
            if (m instanceof ImageTextEncoder) {
                caps.addAll(List.of("embed", "classify"));
            }
            if (m instanceof org.vlm4j.model.ImageGenerator g && g.canGenerateImages()) {
                caps.add("generate-image");
            }
            if (m instanceof org.vlm4j.model.ImageTokenizer) {
                caps.addAll(List.of("tokenize-image", "detokenize-image", "eval reconstruction"));
            }
            if (m instanceof Captioner) {
                caps.add("caption");
            }
            if (m instanceof org.vlm4j.model.ImageTextScorer) {
                caps.add("score");
            }
            if (m instanceof org.vlm4j.model.MaskFiller) {
                caps.add("fill-mask");
            }
            if (m instanceof ImageTextEncoder || m instanceof org.vlm4j.model.ImageTextScorer) {
                caps.add("eval winoground");
            }
            if (m instanceof org.vlm4j.model.generative.diffusion.DiffusionModel) {
                caps.add("diffusion-classify");
            }
            if (m instanceof org.vlm4j.model.LikelihoodScorer) {
                caps.add("eval zeroshot --likelihood"); // the generative classifier
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("family", m.family());
            r.put("parameters", m.module().parameterCount());
            r.put("capabilities", caps);
            r.put("tokenizer", m.tokenizer() != null);
            r.put("config", m.config());
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("%s model, %,d parameters; can: %s%n", m.family(),
                        m.module().parameterCount(), String.join(", ", caps));
            }
        }
        return 0;
    }
}
