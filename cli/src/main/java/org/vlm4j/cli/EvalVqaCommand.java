package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.eval.VqaEval;
import org.vlm4j.model.QuestionAnswerer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "vqa", mixinStandardHelpOptions = true,
        description = "Visual question answering accuracy (exact match after VQA-style answer normalisation) over a TSV"
                + " with columns image, question, answers ('|'-separated alternatives) and optionally kind.")
final class EvalVqaCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory of a question-answering family")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "TSV", description = "the questions table, e.g. Shapes'"
            + " val_questions.tsv")
    Path data;

    @Option(names = "--max-tokens", defaultValue = "10", description = "new tokens at most per answer"
            + " (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--examples", defaultValue = "5", description = "answers to include in the JSON"
            + " (default: ${DEFAULT-VALUE})")
    int examples;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<VqaEval.Item> items = VqaEval.read(data); // table errors before the model loads
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof QuestionAnswerer qa)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot answer questions");
            }
            VqaEval.Result r = VqaEval.evaluate(qa, items, CaptionCommand.generation(1, maxTokens));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("n", r.n());
            out.put("accuracy", r.accuracy());
            out.put("accuracy_by_kind", r.accuracyByKind());
            out.put("count_by_kind", r.countByKind());
            List<Map<String, Object>> ex = new ArrayList<>();
            for (VqaEval.Item it : r.items().subList(0, Math.min(Math.max(0, examples), r.n()))) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("image", it.image().toString());
                e.put("question", it.question());
                e.put("answers", it.answers());
                e.put("predicted", it.predicted());
                e.put("correct", it.correct());
                ex.add(e);
            }
            out.put("examples", ex);
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), out);
            } else {
                EvalCommand.print(spec.commandLine().getOut(), false, out);
                spec.commandLine().getOut().println("by kind: " + r.accuracyByKind());
                spec.commandLine().getOut().flush();
            }
        }
        return 0;
    }
}
