package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.experiment.Experiment;
import org.vlm4j.experiment.ExperimentContext;
import org.vlm4j.experiment.Experiments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Reproduce (or refute) one of the survey's claims: train the compared models on the same Shapes"
                + " data and budget, evaluate them alike, print the table and write it, with its settings, to"
                + " OUT/NAME.md. Experiments: siglip-vs-clip-batch, infonce-batch, llip-vs-clip,"
                + " generative-vs-discriminative, projection-only.")
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the experiment")
    String name;

    @Option(names = "--budget-minutes", defaultValue = "20", description = "training time for the whole experiment,"
            + " shared evenly among its models (default: ${DEFAULT-VALUE})")
    double budgetMinutes;

    @Option(names = "--budget-pairs", description = "image-caption pairs each model trains on (overrides"
            + " --budget-minutes; reproducible on any machine)")
    Long budgetPairs;

    @Option(names = "--scenes", defaultValue = "4000", description = "Shapes scenes to generate"
            + " (default: ${DEFAULT-VALUE})")
    int scenes;

    @Option(names = "--colors", defaultValue = "8", description = "colours in the Shapes vocabulary"
            + " (default: ${DEFAULT-VALUE})")
    int colors;

    @Option(names = "--shapes", defaultValue = "6", description = "shapes in the Shapes vocabulary"
            + " (default: ${DEFAULT-VALUE})")
    int shapes;

    @Option(names = "--seed", defaultValue = "0", description = "data and model seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", defaultValue = "experiments", description = "work directory: data, runs and NAME.md"
            + " (default: ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Experiment e = Experiments.get(name);
        Vlm4jEngine.init();
        var w = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        ExperimentContext ctx = new ExperimentContext(out.resolve(name), budgetPairs,
                budgetPairs == null ? budgetMinutes : null, scenes, colors, shapes, seed,
                line -> {
                    err.println(line);
                    err.flush();
                });
        Experiments.Result r = Experiments.run(e, ctx);
        if (json.json) {
            Map<String, Object> m = new LinkedHashMap<>(r.table().toJson());
            m.put("markdown", r.markdown().toString());
            Cli.printJson(w, m);
        } else {
            w.print(r.table().toMarkdown());
            w.printf("%nwritten to %s%n", r.markdown());
            w.flush();
        }
        return 0;
    }
}
