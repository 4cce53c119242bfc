package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "Write a caption for each image with a captioning model (e.g. CoCa): greedy, or beam search.")
final class CaptionCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a captioning family")
    Path model;

    @Option(names = "--beam", defaultValue = "1", description = "beam width; 1 is greedy (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--max-tokens", defaultValue = "30", description = "new tokens at most per caption"
            + " (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GenerationConfig gen = generation(beam, maxTokens);
        try (VlmModel m = Cli.load(model)) {
            List<String> captions = Cli.captioner(m, model).captionFiles(images, gen);
            var out = spec.commandLine().getOut();
            if (json.json) {
                List<Map<String, Object>> results = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("image", images.get(i).toString());
                    r.put("caption", captions.get(i));
                    results.add(r);
                }
                Cli.printJson(out, Map.of("results", results));
            } else {
                for (int i = 0; i < images.size(); i++) {
                    out.println(images.get(i) + "\t" + captions.get(i));
                }
                out.flush();
            }
        }
        return 0;
    }

    /** Greedy for a beam of 1, else beam search with length normalisation; errors name the flag. */
    static GenerationConfig generation(int beam, int maxTokens) {
        if (beam < 1) {
            throw new IllegalArgumentException("--beam must be at least 1, got " + beam);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        return beam == 1 ? GenerationConfig.greedy(maxTokens, java.util.Set.of())
                : GenerationConfig.beam(maxTokens, beam, java.util.Set.of());
    }
}
