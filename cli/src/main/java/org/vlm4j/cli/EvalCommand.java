package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.eval.CaptioningEval;
import org.vlm4j.eval.CaptioningResult;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.EncodedDataset;
import org.vlm4j.eval.LinearProbe;
import org.vlm4j.eval.LinearProbeResult;
import org.vlm4j.eval.RetrievalResult;
import org.vlm4j.eval.Templates;
import org.vlm4j.eval.TieRule;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.LikelihoodScorer;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vlm4j eval zeroshot|retrieval|linear-probe|captioning} over any data spec (tables, class folders, tar shards).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model: zero-shot classification, image-text retrieval, linear probe, captioning,"
                + " reconstruction.",
        subcommands = {EvalCommand.ZeroShot.class, EvalCommand.Retrieval.class, EvalCommand.Probe.class,
                EvalCommand.Captioning.class, EvalReconstructionCommand.class, EvalWinogroundCommand.class,
                EvalVqaCommand.class})
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
            description = "Zero-shot top-1/top-5 accuracy on labelled images: class folders (class name = folder"
                    + " name, '_' read as a space), or a table/shards with --label.")
    static final class ZeroShot implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "SPEC",
                description = "a folder with one sub-folder of images per class, or a TSV/CSV table or tar shards"
                        + " whose entries carry their class (see --label)")
        String data;

        @Mixin
        LabelOption label;

        @Option(names = "--classes", paramLabel = "LIST|FILE", description = "the candidate classes: comma-separated,"
                + " or a file with one per line (default: the folder's classes, else the distinct labels)")
        String classes;

        @Option(names = "--templates", defaultValue = Templates.OPENAI_IMAGENET, paramLabel = "FILE|simple|imagenet80|TEMPLATE",
                description = "prompt templates: imagenet80 (OpenAI CLIP's 80), simple (their 7), a file with one"
                        + " template per line containing {}, or one template such as 'a photo of a {}'"
                        + " (default: ${DEFAULT-VALUE})")
        String templates;

        @Option(names = "--ties", defaultValue = "pessimistic", description = "tie rule: pessimistic or optimistic"
                + " (default: ${DEFAULT-VALUE})")
        String ties;

        @Option(names = "--confusion", description = "include the confusion matrix in the JSON")
        boolean confusion;

        @Option(names = "--likelihood", paramLabel = "image|text", description = "classify by likelihood (generative"
                + " classifier, Bayes with a uniform prior): image = log p(image | class text), text = log p(class text"
                + " | image). Default: image for models that score but do not embed (fusion), embeddings otherwise")
        String likelihood;

        @Option(names = "--by-score", description = "classify by the model's own pair score (Llip's caption-conditioned"
                + " score, an ITM head) instead of its embeddings; needs --classes for tables and shards")
        boolean byScore;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            TieRule rule = tieRule(ties);
            List<String> tpl = Templates.resolve(templates);
            ImageTextDataset dataset = ImageTextDataset.open(data);
            DatasetEvals.Labeler labeler = label.labeler();
            try (VlmModel m = Cli.load(model)) {
                if (likelihood != null || byScore || !(m instanceof ImageTextEncoder)) {
                    print(spec.commandLine().getOut(), json.json, byLikelihood(m, dataset, tpl, labeler, rule));
                    return 0;
                }
                ImageTextEncoder enc = Cli.encoder(m, model);
                EncodedDataset d = EncodedDataset.encode(enc, dataset);
                List<String> names = classes != null ? classList(classes)
                        : DatasetEvals.classNames(dataset, DatasetEvals.labels(d, labeler));
                ZeroShotResult r = DatasetEvals.zeroShot(enc, d, data, names, tpl, labeler, ZeroShotEval.DEFAULT_KS,
                        rule);
                Map<String, Object> out = new LinkedHashMap<>(r.toJson(confusion));
                out.put("templates", tpl.size());
                out.put("skipped", d.skipped());
                print(spec.commandLine().getOut(), json.json, out);
            }
            return 0;
        }

        /** The generative-classifier path: every image scored against every class text, no embeddings. */
        private Map<String, Object> byLikelihood(VlmModel m, ImageTextDataset dataset, List<String> tpl,
                DatasetEvals.Labeler labeler, TieRule rule) throws Exception {
            ImageTextScorer scorer = Cli.scorer(m, model);
            if (likelihood != null && scorer instanceof LikelihoodScorer ls) {
                scorer = ls.inDirection(LikelihoodScorer.Direction.of(likelihood));
            } else if (likelihood != null) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model scores pairs but not by"
                        + " likelihood; leave out --likelihood");
            }
            List<String> names;
            if (classes != null) {
                names = classList(classes);
            } else if (dataset.kind() == ImageTextDataset.Kind.FOLDER) {
                names = DatasetEvals.classNames(dataset, List.of());
            } else {
                throw new IllegalArgumentException("--classes is needed to classify a table or shards by likelihood"
                        + " (the candidate texts are scored per image, before the labels are read)");
            }
            DatasetEvals.ScoredZeroShot r = DatasetEvals.zeroShot(scorer, dataset, names, tpl, labeler,
                    ZeroShotEval.DEFAULT_KS, rule);
            Map<String, Object> out = new LinkedHashMap<>(r.result().toJson(confusion));
            out.put("templates", tpl.size());
            out.put("scorer", scorer instanceof LikelihoodScorer ls ? "log p(" + ls.defaultDirection().id()
                    + " | " + (ls.defaultDirection() == LikelihoodScorer.Direction.IMAGE_GIVEN_TEXT ? "text" : "image")
                    + ")" : "pair score");
            out.put("skipped", r.scores().skipped());
            return out;
        }
    }

    @Command(name = "retrieval", mixinStandardHelpOptions = true,
            description = "Image-text retrieval R@K, mean and median rank, over a table or shards of image-caption"
                    + " pairs (an image on several rows has several captions).")
    static final class Retrieval implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "SPEC", description = "a TSV/CSV table (image, text"
                + " columns; extra columns ignored) or tar shards; an image on several rows has several captions")
        String data;

        @Option(names = "--k", split = ",", defaultValue = "1,5,10", description = "the K of R@K (default:"
                + " ${DEFAULT-VALUE})")
        int[] ks;

        @Option(names = "--ties", defaultValue = "pessimistic", description = "tie rule: pessimistic or optimistic"
                + " (default: ${DEFAULT-VALUE})")
        String ties;

        @Option(names = "--first-stage", paramLabel = "DIR", description = "rerank: a model directory that embeds"
                + " images and texts; its top --rerank-top candidates per query are reordered by --model's pair score"
                + " (an ITM head, a generative classifier)")
        Path firstStage;

        @Option(names = "--rerank-top", paramLabel = "K", description = "with --first-stage: candidates per query"
                + " reranked (default: 20)")
        Integer rerankTop;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            TieRule rule = tieRule(ties);
            if (firstStage == null && rerankTop != null) {
                throw new IllegalArgumentException("--rerank-top needs --first-stage (the model that shortlists)");
            }
            ImageTextDataset dataset = ImageTextDataset.open(data);
            if (firstStage != null) {
                print(spec.commandLine().getOut(), json.json, reranked(dataset, rule));
                return 0;
            }
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                EncodedDataset d = EncodedDataset.encode(enc, dataset);
                RetrievalResult r = DatasetEvals.retrieval(enc, d, ks, rule);
                Map<String, Object> out = new LinkedHashMap<>(r.toJson());
                out.put("skipped", d.skipped());
                print(spec.commandLine().getOut(), json.json, out);
            }
            return 0;
        }

        /** --first-stage shortlists by embeddings, --model reorders each shortlist by its pair score. */
        private Map<String, Object> reranked(ImageTextDataset dataset, TieRule rule) throws Exception {
            int k = rerankTop == null ? 20 : rerankTop;
            if (k < 1) {
                throw new IllegalArgumentException("--rerank-top must be >= 1, got " + k);
            }
            try (VlmModel first = Cli.load(firstStage); VlmModel second = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(first, firstStage);
                org.vlm4j.eval.RerankedRetrievalEval.Result r = DatasetEvals.rerankedRetrieval(enc,
                        Cli.scorer(second, model), dataset, k, ks, rule);
                Map<String, Object> out = new LinkedHashMap<>(r.retrieval().toJson());
                out.put("rerank_top", k);
                out.put("first_stage", firstStage.toString());
                out.put("pair_scores", r.pairScores());
                return out;
            }
        }
    }

    @Command(name = "linear-probe", mixinStandardHelpOptions = true,
            description = "Logistic regression on frozen image embeddings: train on one labelled dataset, L2"
                    + " strength chosen on a held-out share of it, accuracy on another.")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory")
        Path model;

        @Option(names = "--train", required = true, paramLabel = "SPEC", description = "class folders (or a table or"
                + " shards with --label) to train on")
        String train;

        @Option(names = "--test", required = true, paramLabel = "SPEC",
                description = "data to test on, with the same classes")
        String test;

        @Mixin
        LabelOption label;

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
            ImageTextDataset tr = ImageTextDataset.open(train);
            ImageTextDataset te = ImageTextDataset.open(test);
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                LinearProbeResult r = DatasetEvals.linearProbe(enc, tr, te, label.labeler(), cfg);
                print(spec.commandLine().getOut(), json.json, r.toJson());
            }
            return 0;
        }
    }

    @Command(name = "captioning", mixinStandardHelpOptions = true,
            description = "Caption every image of a table or shards and score the captions against the references"
                    + " (all captions of the same image) with corpus BLEU-1..4 and CIDEr-D (pycocoevalcap's"
                    + " definitions; lower-case, punctuation-free PTB-like tokens).")
    static final class Captioning implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "a vlm4j model directory of a captioning family")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "SPEC", description = "a TSV/CSV table (image, text"
                + " columns) or tar shards; several rows with one image = several references")
        String data;

        @Option(names = "--beam", defaultValue = "1", description = "beam width; 1 is greedy (default: ${DEFAULT-VALUE})")
        int beam;

        @Option(names = "--max-tokens", defaultValue = "30", description = "new tokens at most per caption"
                + " (default: ${DEFAULT-VALUE})")
        int maxTokens;

        @Option(names = "--examples", defaultValue = "5", description = "captions to include in the JSON with their"
                + " references (default: ${DEFAULT-VALUE})")
        int examples;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var gen = CaptionCommand.generation(beam, maxTokens);
            ImageTextDataset dataset = ImageTextDataset.open(data);
            try (VlmModel m = Cli.load(model)) {
                CaptioningResult r = CaptioningEval.evaluate(Cli.captioner(m, model), dataset, gen);
                print(spec.commandLine().getOut(), json.json, r.toJson(Math.max(0, examples)));
            }
            return 0;
        }
    }

    /** Comma-separated class names, or a file of one per line (blank lines skipped). */
    static List<String> classList(String spec) throws java.io.IOException {
        Path p = Path.of(spec);
        List<String> raw = java.nio.file.Files.isRegularFile(p)
                ? java.nio.file.Files.readAllLines(p, java.nio.charset.StandardCharsets.UTF_8) : List.of(spec.split(","));
        List<String> out = raw.stream().map(String::strip).filter(x -> !x.isEmpty()).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--classes " + spec + ": no class names");
        }
        return out;
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
