package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.eval.ZeroShotClassifier;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.SigLip;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Zero-shot classification of images against a list of labels (CLIP prompt ensembling).")
final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory")
    Path model;

    @Option(names = "--labels", required = true, split = ",", description = "comma-separated labels")
    List<String> labels;

    @Option(names = "--template", description = "prompt template with {} for the label (repeatable; default: \""
            + ZeroShotClassifier.DEFAULT_TEMPLATE + "\")")
    List<String> templates = new ArrayList<>();

    @Option(names = "--top-k", defaultValue = "5", description = "labels to report per image (default: ${DEFAULT-VALUE})")
    int topK;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be at least 1");
        }
        List<String> clean = labels.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        try (VlmModel m = Cli.load(model)) {
            ImageTextEncoder enc = Cli.encoder(m, model);
            ZeroShotClassifier zs = new ZeroShotClassifier(enc, clean, templates, m.family().equals(SigLip.FAMILY));
            float[][] emb = enc.encodeImageFiles(images);
            var top = zs.topK(emb, topK);
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", images.get(i).toString());
                List<Map<String, Object>> ls = new ArrayList<>();
                for (var p : top.get(i)) {
                    ls.add(Map.of("label", p.label(), "probability", p.probability()));
                }
                r.put("labels", ls);
                results.add(r);
            }
            var out = spec.commandLine().getOut();
            if (json.json) {
                Cli.printJson(out, Map.of("results", results));
            } else {
                for (int i = 0; i < images.size(); i++) {
                    out.println(images.get(i));
                    for (var p : top.get(i)) {
                        out.printf("  %6.2f%%  %s%n", 100 * p.probability(), p.label());
                    }
                }
            }
        }
        return 0;
    }
}
