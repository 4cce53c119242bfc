package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.eval.Winoground;
import org.vlm4j.eval.WinogroundPair;
import org.vlm4j.eval.WinogroundResult;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vlm4j eval winoground}: text, image and group scores on pairs of captions with the same words. */
@Command(name = "winoground", mixinStandardHelpOptions = true,
        description = "Winoground-style compositional test: text, image and group scores over pairs (image0, text0),"
                + " (image1, text1) whose captions hold the same words in another order (e.g. Shapes'"
                + " winoground.tsv), overall and per kind / seen vs held-out.")
final class EvalWinogroundCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (any model that scores or"
            + " embeds image-text pairs)")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "TSV",
            description = "a table with columns image0, image1, text0, text1 (others, such as kind and heldout, group"
                    + " the scores); image paths relative to the table")
    Path data;

    @Option(names = "--similarity", defaultValue = "auto", description = "score: the model's own pair score"
            + " (ImageTextScorer); cosine: the cosine of its embeddings; auto: score when the model has one"
            + " (default: ${DEFAULT-VALUE})")
    String similarity;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!List.of("auto", "score", "cosine").contains(similarity)) {
            throw new IllegalArgumentException("--similarity must be auto, score or cosine, got " + similarity);
        }
        List<WinogroundPair> pairs = Winoground.read(data);
        try (VlmModel m = Cli.load(model)) {
            boolean useScore = similarity.equals("score")
                    || (similarity.equals("auto") && m instanceof ImageTextScorer);
            WinogroundResult r;
            if (useScore) {
                if (!(m instanceof ImageTextScorer scorer)) {
                    throw new IllegalArgumentException(model + ": a " + m.family() + " model has no pair score"
                            + " (use --similarity cosine)");
                }
                r = Winoground.result(pairs, Winoground.scorerScores(scorer, pairs), "score");
            } else {
                ImageTextEncoder enc = Cli.encoder(m, model);
                r = Winoground.result(pairs, Winoground.cosineScores(enc, pairs), "cosine");
            }
            Map<String, Object> out = r.toJson();
            EvalCommand.print(spec.commandLine().getOut(), json.json, out);
            if (!json.json) {
                r.groups().forEach((k, g) -> spec.commandLine().getOut().printf(
                        "%-12s text %.4f  image %.4f  group %.4f  (n=%d)%n", k, g.textScore(), g.imageScore(),
                        g.groupScore(), g.n()));
                spec.commandLine().getOut().flush();
            }
        }
        return 0;
    }
}
