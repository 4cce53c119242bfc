package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.backbone.Bridge;
import org.vlm4j.model.backbone.Segment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = "Answer a question about an image with a model that can (the pretrained-backbone bridges).")
final class AskCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a question-answering family")
    Path model;

    @Option(names = "--image", required = true, description = "the image file; repeat it for a prompt with several"
            + " <image> placeholders (bridges), which take the images in order")
    List<Path> images;

    @Option(names = "--question", required = true, description = "the question, e.g. \"what colour is the square?\";"
            + " or, for a bridge, an interleaved prompt continued as it stands (Frozen's few-shot setting), e.g."
            + " \"<image> this is a red circle. <image> this is\"")
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
            String answer;
            if (question.contains(Segment.IMAGE)) {
                if (!(m instanceof Bridge b)) {
                    throw new IllegalArgumentException(model + ": a " + m.family() + " model takes no interleaved"
                            + " images (" + Segment.IMAGE + " in --question); the pretrained-backbone bridges do");
                }
                answer = b.generateInterleavedFiles(question, images, gen);
            } else {
                if (images.size() != 1) {
                    throw new IllegalArgumentException(images.size() + " --image files but no " + Segment.IMAGE
                            + " placeholder in --question: mark where each image goes, e.g. \"" + Segment.IMAGE
                            + " this is a red circle. " + Segment.IMAGE + " this is\"");
                }
                answer = qa.answerFiles(images, List.of(question), gen).get(0);
            }
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
