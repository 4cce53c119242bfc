package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.generative.diffusion.DiffusionClassifier;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vlm4j diffusion-classify}: a diffusion model as a zero-shot classifier, with adaptive elimination. */
@Command(name = "diffusion-classify", mixinStandardHelpOptions = true,
        description = "Zero-shot classification with a diffusion model (Li et al. 2023): the label whose caption lets"
                + " the model predict the added noise best, the same noise and evenly spaced timesteps for every"
                + " label, weak labels dropped in rounds.")
final class DiffusionClassifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (family diffusion)")
    Path model;

    @Option(names = "--labels", required = true, split = ",", description = "comma-separated labels")
    List<String> labels;

    @Option(names = "--template", defaultValue = "{}", description = "caption template with {} for the label"
            + " (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--rounds", defaultValue = "20:20,50:10,100:5,500:1", paramLabel = "SAMPLES:KEEP,...",
            description = "elimination rounds: after round r every label still in the running has SAMPLES noise"
                    + " samples and the best KEEP stay; one round keeping all is exhaustive (default: ${DEFAULT-VALUE},"
                    + " the paper's)")
    String rounds;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the shared noise (default: ${DEFAULT-VALUE})")
    long seed;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> clean = labels.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (clean.isEmpty()) {
            throw new IllegalArgumentException("--labels: no labels");
        }
        if (!template.contains("{}")) {
            throw new IllegalArgumentException("--template must contain {} (where the label goes), got " + template);
        }
        DiffusionClassifier.Rounds r = DiffusionClassifier.Rounds.parse(rounds, seed);
        List<String> captions = clean.stream().map(l -> template.replace("{}", l)).toList();
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof DiffusionModel d)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model is not a diffusion model");
            }
            ImagePreprocessor pre = d.preprocessor();
            int size = pre.config().size();
            float[] pixels = pre.preprocessBatch(images, ImageWorkers.shared());
            DiffusionClassifier.Result res = new DiffusionClassifier(d, r).classify(pixels, images.size(), size, size,
                    captions);
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                float[] s = res.scores()[i];
                List<Integer> order = new ArrayList<>();
                for (int c = 0; c < clean.size(); c++) {
                    order.add(c);
                }
                order.sort(Comparator.comparingDouble(c -> -s[c]));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("image", images.get(i).toString());
                row.put("label", clean.get(res.top1()[i]));
                row.put("ranking", order.stream().map(clean::get).toList());
                results.add(row);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("results", results);
            out.put("evaluations_per_image", res.evaluationsPerImage());
            out.put("exhaustive_evaluations_per_image", (double) clean.size() * r.totalSamples());
            var w = spec.commandLine().getOut();
            if (json.json) {
                Cli.printJson(w, out);
            } else {
                for (Map<String, Object> row : results) {
                    w.printf("%s: %s%n", row.get("image"), row.get("label"));
                }
                w.printf("%.0f noise predictions per image (exhaustive: %.0f)%n", res.evaluationsPerImage(),
                        (double) clean.size() * r.totalSamples());
                w.flush();
            }
        }
        return 0;
    }
}
