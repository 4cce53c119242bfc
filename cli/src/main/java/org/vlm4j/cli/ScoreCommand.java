package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score how well each text matches an image, with any model that scores image-text pairs"
                + " (ITM heads of VisualBERT / FLAVA, generative classifiers, ...); higher = better match.")
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a pair-scoring family")
    Path model;

    @Option(names = "--image", required = true, description = "the image file")
    Path image;

    @Option(names = "--text", required = true, arity = "1..*", description = "one or more texts to score")
    List<String> texts;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof ImageTextScorer scorer)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot score image-text"
                        + " pairs");
            }
            int size = scorer.preprocessor().config().size();
            float[] px = scorer.preprocessor().preprocess(image);
            float[] scores = scorer.score(px, 1, size, size, texts)[0];
            var out = spec.commandLine().getOut();
            if (json.json) {
                List<Double> list = new ArrayList<>();
                for (float s : scores) {
                    list.add((double) s);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("scores", list);
                Cli.printJson(out, r);
            } else {
                for (int i = 0; i < texts.size(); i++) {
                    out.printf("%.6f\t%s%n", scores[i], texts.get(i));
                }
                out.flush();
            }
        }
        return 0;
    }
}
