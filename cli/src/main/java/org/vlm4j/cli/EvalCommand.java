package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.eval.LinearProbe;
import org.vlm4j.eval.LinearProbeResult;
import org.vlm4j.eval.RetrievalEval;
import org.vlm4j.eval.RetrievalResult;
import org.vlm4j.eval.Templates;
import org.vlm4j.eval.TieRule;
import org.vlm4j.eval.ZeroShotClassifier;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vlm4j eval zeroshot|retrieval|linear-probe}. The --data inputs are read by {@link EvalInputs}' small local
 * readers for now (TODO(data): the org.vlm4j.data SPECs when that package lands).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model: zero-shot classification, image-text retrieval, linear probe.",
        subcommands = {EvalCommand.ZeroShot.class, EvalCommand.Retrieval.class, EvalCommand.Probe.class})
final class EvalCommand implements Runnable {
    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void print(PrintWriter out, boolean json, Map<String, Object> result) throws Exception {
        if (json) {
            Cli.printJson(out, result);
            return;
        }
        for (Map.Entry<String, Object> e : result.entrySet()) {
            if (e.getValue() instanceof Double d) {
                out.printf("%-28s %.4f%n", e.getKey(), d);
            } else if (e.getValue() instanceof Number || e.getValue() instanceof String) {
                out.printf("%-28s %s%n", e.getKey(), e.getValue());
            }
        }
        out.flush();
    }

    @Command(name = "zeroshot", mixinStandardHelpOptions = true,
            description = "Zero-shot top-1/top-5 accuracy on a folder of class folders (class name = folder name,"
                    + " '_' read as a space).")
    static final class ZeroShot implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "DIR",
                description = "a folder with one sub-folder of images per class")
        Path data;

        @Option(names = "--templates", defaultValue = Templates.OPENAI_IMAGENET, paramLabel = "FILE|simple|imagenet80",
                description = "prompt templates: imagenet80 (OpenAI CLIP's 80), simple (their 7), or a file with one"
                        + " template per line containing {} (default: ${DEFAULT-VALUE})")
        String templates;

        @Option(names = "--ties", defaultValue = "pessimistic", description = "tie rule: pessimistic or optimistic"
                + " (default: ${DEFAULT-VALUE})")
        String ties;

        @Option(names = "--confusion", description = "include the confusion matrix in the JSON")
        boolean confusion;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            TieRule rule = tieRule(ties);
            List<String> tpl = Templates.resolve(templates);
            EvalInputs.Labelled in = EvalInputs.readClassFolders(data);
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                ZeroShotClassifier zs = new ZeroShotClassifier(enc, in.classNames(), tpl, false);
                ZeroShotResult r = ZeroShotEval.evaluate(zs, enc.encodeImageFiles(in.images()), in.labels(),
                        ZeroShotEval.DEFAULT_KS, rule);
                Map<String, Object> out = new LinkedHashMap<>(r.toJson(confusion));
                out.put("templates", tpl.size());
                print(spec.commandLine().getOut(), json.json, out);
            }
            return 0;
        }
    }

    @Command(name = "retrieval", mixinStandardHelpOptions = true,
            description = "Image-text retrieval R@K, mean and median rank, from an image<TAB>caption TSV (an image on"
                    + " several lines has several captions; paths relative to the TSV; header line optional).")
    static final class Retrieval implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "TSV", description = "image<TAB>caption lines")
        Path data;

        @Option(names = "--k", split = ",", defaultValue = "1,5,10", description = "the K of R@K (default:"
                + " ${DEFAULT-VALUE})")
        int[] ks;

        @Option(names = "--ties", defaultValue = "pessimistic", description = "tie rule: pessimistic or optimistic"
                + " (default: ${DEFAULT-VALUE})")
        String ties;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            TieRule rule = tieRule(ties);
            EvalInputs.Captions in = EvalInputs.readCaptionTsv(data);
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                float[][] img = enc.encodeImageFiles(in.images());
                float[][] txt = enc.encodeTexts(in.captions());
                RetrievalResult r = RetrievalEval.evaluate(img, txt, in.textToImage(), ks, rule);
                print(spec.commandLine().getOut(), json.json, r.toJson());
            }
            return 0;
        }
    }

    @Command(name = "linear-probe", mixinStandardHelpOptions = true,
            description = "Logistic regression on frozen image embeddings: train on one folder of class folders, L2"
                    + " strength chosen on a held-out share of it, accuracy on another.")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--train", required = true, paramLabel = "DIR", description = "class folders to train on")
        Path train;

        @Option(names = "--test", required = true, paramLabel = "DIR",
                description = "class folders to test on (the same class folder names)")
        Path test;

        @Option(names = "--lambda", split = ",", description = "L2 strengths to sweep (default: 1e-6,...,10)")
        double[] lambdas;

        @Option(names = "--val-fraction", defaultValue = "0.2", description = "training share held out to choose"
                + " lambda (default: ${DEFAULT-VALUE})")
        double valFraction;

        @Option(names = "--max-iterations", defaultValue = "1000", description = "L-BFGS iterations per fit"
                + " (default: ${DEFAULT-VALUE})")
        int maxIterations;

        @Option(names = "--seed", defaultValue = "0", description = "seed of the validation split (default:"
                + " ${DEFAULT-VALUE})")
        long seed;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LinearProbe.Config d = LinearProbe.Config.defaults();
            LinearProbe.Config cfg = new LinearProbe.Config(lambdas == null ? d.lambdas() : lambdas, valFraction,
                    maxIterations, d.gradientTolerance(), d.lossTolerance(), seed);
            EvalInputs.Labelled tr = EvalInputs.readClassFolders(train);
            EvalInputs.Labelled te = EvalInputs.readClassFolders(test, EvalInputs.folderNames(train));
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                LinearProbeResult r = LinearProbe.fit(enc, tr.images(), tr.labels(), te.images(), te.labels(),
                        tr.classNames().size(), cfg);
                print(spec.commandLine().getOut(), json.json, r.toJson());
            }
            return 0;
        }
    }

    static TieRule tieRule(String name) {
        for (TieRule r : TieRule.values()) {
            if (r.name().equalsIgnoreCase(name)) {
                return r;
            }
        }
        List<String> names = new ArrayList<>();
        for (TieRule r : TieRule.values()) {
            names.add(r.name().toLowerCase(java.util.Locale.ROOT));
        }
        throw new IllegalArgumentException("--ties must be one of " + String.join(", ", names) + ", got " + name);
    }
}
