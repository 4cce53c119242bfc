package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.io.ModelDir;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.text.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize texts with a model's tokenizer: one padded row of ids per text.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory")
    Path model;

    @Option(names = "--context-length", description = "row length (default: the model's context length)")
    Integer contextLength;

    @Option(names = "--text", required = true, description = "a text (repeatable)")
    List<String> texts;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // No engine needed: the tokenizer is plain Java.
        var cfg = ModelDir.readConfig(model);
        if (!cfg.hasNonNull("tokenizer")) {
            throw new IllegalArgumentException(model.resolve(ModelDir.CONFIG) + ": the model has no tokenizer");
        }
        Tokenizer tok = Tokenizers.load(cfg.get("tokenizer").asText(), model.resolve(ModelDir.TOKENIZER));
        int ctx = contextLength != null ? contextLength : cfg.path("text").path("context_length").asInt(77);
        if (ctx < 2) {
            throw new IllegalArgumentException("--context-length must be at least 2, got " + ctx);
        }
        long[][] ids = tok.tokenize(texts, ctx);
        if (json.json) {
            Cli.printJson(spec.commandLine().getOut(), Map.of("input_ids", ids));
        } else {
            for (long[] row : ids) {
                spec.commandLine().getOut().println(Arrays.toString(row));
            }
        }
        return 0;
    }
}
