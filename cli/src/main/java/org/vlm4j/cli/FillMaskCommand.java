package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import org.vlm4j.model.MaskFiller;
import org.vlm4j.model.VlmModel;
import org.vlm4j.text.MlmVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = "Fill the [MASK] words of a text given an image, with a masked-language model (VisualBERT,"
                + " FLAVA, ...).")
final class FillMaskCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a masking family")
    Path model;

    @Option(names = "--image", required = true, description = "the image file")
    Path image;

    @Option(names = "--text", required = true, description = "the text, each hidden word written [MASK],"
            + " e.g. \"a [MASK] circle\"")
    String text;

    @Option(names = "--top-k", defaultValue = "5", description = "candidates shown per [MASK] (default: ${DEFAULT-VALUE})")
    int topK;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be at least 1, got " + topK);
        }
        if (!text.contains(MlmVocabulary.MASK_TOKEN)) {
            throw new IllegalArgumentException("--text has no " + MlmVocabulary.MASK_TOKEN + " to fill: '" + text + "'");
        }
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof MaskFiller filler)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot fill masked words");
            }
            int size = filler.preprocessor().config().size();
            float[] px = filler.preprocessor().preprocess(image);
            List<List<MaskFiller.Fill>> fills = filler.fillMask(px, size, size, text, topK);
            String filled = text;
            for (List<MaskFiller.Fill> f : fills) {
                filled = filled.replaceFirst(java.util.regex.Pattern.quote(MlmVocabulary.MASK_TOKEN),
                        Matcher.quoteReplacement(f.get(0).token()));
            }
            var out = spec.commandLine().getOut();
            if (json.json) {
                List<List<Map<String, Object>>> masks = new ArrayList<>();
                for (List<MaskFiller.Fill> f : fills) {
                    List<Map<String, Object>> cands = new ArrayList<>();
                    for (MaskFiller.Fill c : f) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("token", c.token());
                        e.put("id", c.id());
                        e.put("probability", (double) c.probability());
                        cands.add(e);
                    }
                    masks.add(cands);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("text", text);
                r.put("filled", filled);
                r.put("masks", masks);
                Cli.printJson(out, r);
            } else {
                out.println(filled);
                for (int i = 0; i < fills.size(); i++) {
                    StringBuilder sb = new StringBuilder("[MASK] " + (i + 1) + ":");
                    for (MaskFiller.Fill c : fills.get(i)) {
                        sb.append(String.format("  %s %.3f", c.token(), c.probability()));
                    }
                    out.println(sb);
                }
                out.flush();
            }
        }
        return 0;
    }
}
