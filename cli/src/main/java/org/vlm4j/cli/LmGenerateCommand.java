package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.nn.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a language model (KV-cached): greedy, beam search, or sampling.")
final class LmGenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of the lm family")
    Path model;

    @Option(names = "--prompt", required = true, description = "the text to continue")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "30", description = "new tokens at most (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--beam", defaultValue = "1", description = "beam width; 1 is greedy (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--temperature", defaultValue = "0", description = "sampling temperature; 0 for greedy or beam"
            + " search (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "sample among the k most likely tokens; 0 for all"
            + " (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (temperature < 0 || topK < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--temperature and --top-k must be >= 0 and --top-p in (0, 1]");
        }
        if (temperature > 0 && beam > 1) {
            throw new IllegalArgumentException("--beam and --temperature exclude each other (beam search is"
                    + " deterministic)");
        }
        GenerationConfig gen = temperature > 0
                ? GenerationConfig.sampling(positive(maxTokens), temperature, topK, topP, Set.of(), seed)
                : CaptionCommand.generation(beam, maxTokens);
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof LanguageModel lm)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model is not a language model"
                        + " (family lm)");
            }
            LanguageModel.Completion c = lm.complete(prompt, gen);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("prompt", prompt);
            r.put("text", c.text());
            r.put("tokens", c.tokens().length);
            r.put("stopped", c.stopped());
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().println(prompt + " " + c.text());
                spec.commandLine().getOut().flush();
            }
        }
        return 0;
    }

    private static int positive(int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        return maxTokens;
    }
}
