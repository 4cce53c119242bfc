package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = "Answer a question about an image with a model that can (the pretrained-backbone bridges).")
final class AskCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a question-answering family")
    Path model;

    @Option(names = "--image", required = true, description = "the image file")
    Path image;

    @Option(names = "--question", required = true, description = "the question, e.g. \"what colour is the square?\"")
    String question;

    @Option(names = "--beam", defaultValue = "1", description = "beam width; 1 is greedy (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--max-tokens", defaultValue = "10", description = "new tokens at most (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (question.isBlank()) {
            throw new IllegalArgumentException("--question is empty");
        }
        var gen = CaptionCommand.generation(beam, maxTokens);
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof QuestionAnswerer qa)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot answer questions");
            }
            String answer = qa.answerFiles(List.of(image), List.of(question), gen).get(0);
            var out = spec.commandLine().getOut();
            if (json.json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("answer", answer);
                Cli.printJson(out, r);
            } else {
                out.println(answer);
                out.flush();
            }
        }
        return 0;
    }
}
