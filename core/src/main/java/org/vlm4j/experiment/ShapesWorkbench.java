package org.vlm4j.experiment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.EncodedDataset;
import org.vlm4j.eval.RetrievalEval;
import org.vlm4j.eval.RetrievalResult;
import org.vlm4j.eval.TieRule;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.Winoground;
import org.vlm4j.eval.WinogroundPair;
import org.vlm4j.eval.WinogroundResult;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.train.Pretrainable;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.train.StepCalibration;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The shared bench of the contrastive experiments: one Shapes dataset and one fitted vocabulary, a training recipe
 * every compared model gets (the quickstart's: AdamW lr 1e-3, 10% warmup then cosine, weight decay 0.1, short
 * captions three times in four), and one evaluation (zero-shot top-1 over the colour x shape classes with the
 * size-ensemble prompts, and retrieval R@1 both ways, on the validation split). A model that scores pairs itself
 * ({@link ImageTextScorer}, e.g. Llip) is evaluated by its scores; the others by their embeddings.
 */
final class ShapesWorkbench {
    static final List<String> PROMPTS = List.of("a large {}", "a small {}");
    static final float LR = 1e-3f;
    static final String CAPTION_MIX = "short:0.75";

    private final ExperimentContext ctx;
    private final Shapes.Config shapes;
    private final ClipBpeTokenizer tokenizer;
    private final Path data;
    private final Path train;
    private final Path val;
    private final long pairsPerRun;

    /** A finished training run: the mean loss of its first and last tenth of steps, and its wall time. */
    record Training(int steps, double firstLoss, double lastLoss, double seconds) {}

    /** A trained and evaluated model: one row's worth of numbers. */
    record Run(String label, int batch, int steps, double firstLoss, double lastLoss, double seconds,
               double zeroShotTop1, double imageToTextR1, double textToImageR1) {}

    /** Builds the data and vocabulary, and settles the pairs each of {@code runs} models trains on. */
    ShapesWorkbench(ExperimentContext ctx, int runs) throws Exception {
        this(ctx, runs, 64, null);
    }

    /** The text a workbench's vocabulary is fitted to, given the generated data's folder. */
    @FunctionalInterface
    interface VocabularyText {
        List<String> lines(Path data) throws Exception;
    }

    /**
     * A workbench of {@code size} px scenes whose vocabulary is fitted to {@code text} (null: the training captions),
     * e.g. for a language model that is pretrained on more than the captions.
     */
    ShapesWorkbench(ExperimentContext ctx, int runs, int size, VocabularyText text) throws Exception {
        this.ctx = ctx;
        this.shapes = Shapes.Config.of(ctx.scenes(), ctx.seed()).withVocabulary(ctx.colors(), ctx.shapes())
                .withSize(size);
        this.data = ctx.workDir().resolve("data");
        AtomicFiles.deleteTree(data); // always the data of these settings, never a stale set
        Shapes.Summary s = Shapes.generate(data, shapes);
        this.train = data.resolve("train.tsv");
        this.val = data.resolve("val.tsv");
        this.tokenizer = text == null ? BpeTrainer.of(1000).trainFiles(List.of(train)).tokenizer()
                : BpeTrainer.of(1000).train(text.lines(data)).tokenizer();
        ctx.say("data: %d train / %d val Shapes scenes, %d classes, vocabulary %d", s.train(), s.val(),
                shapes.classNames().size(), tokenizer.vocabSize());
        if (ctx.pairsPerRun() != null) {
            this.pairsPerRun = ctx.pairsPerRun();
        } else {
            int steps = StepCalibration.stepsWithin(ClipPresets.get("clip-tiny", tokenizer.vocabSize()), tokenizer,
                    ImageTextDataset.open(train.toString()), ctx.budgetMinutes() / runs, Integer.MAX_VALUE, ctx.seed());
            this.pairsPerRun = 64L * steps;
            ctx.say("budget: %.1f minutes for %d runs -> %d pairs per run (timed clip-tiny steps)", ctx.budgetMinutes(),
                    runs, pairsPerRun);
        }
    }

    ClipBpeTokenizer tokenizer() {
        return tokenizer;
    }

    /** The generated data's folder (train/val/heldout tables, {@code winoground.tsv}). */
    Path data() {
        return data;
    }

    Path val() {
        return val;
    }

    /** Optimiser steps of {@code batch} that make the pairs per run. */
    int steps(int batch) {
        return (int) Math.max(1, Math.round(pairsPerRun / (double) batch));
    }

    long pairsPerRun() {
        return pairsPerRun;
    }

    int vocabSize() {
        return tokenizer.vocabSize();
    }

    /** The settings every row shares, for the result table. */
    Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", String.format(java.util.Locale.ROOT, "Shapes, %d scenes, %d colours x %d shapes, seed %d",
                ctx.scenes(), ctx.colors(), ctx.shapes(), ctx.seed()));
        m.put("pairs_per_run", pairsPerRun);
        m.put("recipe", "AdamW lr " + LR + ", 10% warmup + cosine, weight decay 0.1, grad-norm clip 1, caption mix "
                + CAPTION_MIX);
        m.put("evaluation", "val split: zero-shot top-1 over colour x shape classes, prompts " + PROMPTS
                + "; retrieval R@1 image->text and text->image");
        m.put("model_seed", ctx.seed());
        if (ctx.budgetMinutes() != null && ctx.pairsPerRun() == null) {
            m.put("budget_minutes", ctx.budgetMinutes());
        }
        return m;
    }

    /** Trains a fresh model of {@code config} on {@code pairsPerRun} pairs at {@code batch}, then evaluates it. */
    Run trainAndEvaluate(String label, ClipConfig config, int batch) throws Exception {
        try (Clip model = SigLip.create(config, tokenizer, ctx.seed())) {
            Training t = train(label, model, batch);
            Run run = evaluate(label, batch, t.steps(), t.firstLoss(), t.lastLoss(), t.seconds(), model);
            ctx.say("%s: batch %d x %d steps, loss %.3f -> %.3f, zero-shot %.3f, R@1 i->t %.3f t->i %.3f (%.0f s)",
                    label, batch, t.steps(), t.firstLoss(), t.lastLoss(), run.zeroShotTop1(), run.imageToTextR1(),
                    run.textToImageR1(), t.seconds());
            return run;
        }
    }

    /** Trains {@code model} (any family) with the recipe on {@code pairsPerRun} pairs at {@code batch}. */
    Training train(String label, Pretrainable model, int batch) throws Exception {
        return train(label, model, batch, LR, 0.1f);
    }

    /**
     * The recipe with another learning rate and weight decay: for what is not a compared model but a part one needs
     * (the early-fusion model's VQ-VAE image tokenizer, trained as the fusion tests train it).
     */
    Training train(String label, Pretrainable model, int batch, float lr, float weightDecay) throws Exception {
        return train(label, model, batch, lr, weightDecay, train, CaptionMix.parse(CAPTION_MIX));
    }

    /** The recipe on another table of the data (e.g. captions and questions), with its own caption mix (or null). */
    Training train(String label, Pretrainable model, int batch, float lr, float weightDecay, Path table, CaptionMix mix)
            throws Exception {
        int steps = steps(batch);
        Path runDir = ctx.workDir().resolve("runs").resolve(label.replaceAll("[^A-Za-z0-9._-]", "_"));
        AtomicFiles.deleteTree(runDir);
        TrainOptions o = new TrainOptions(steps, batch, lr, weightDecay, Math.max(1, steps / 10), 1f, 1, steps, 1,
                ctx.seed(), 5, 4);
        if (mix != null) {
            o = o.withCaptionMix(mix);
        }
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(o, null).fit(model, ImageTextDataset.open(table.toString()), runDir, false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<StepMetrics> h = r.history();
        int k = Math.max(1, h.size() / 10);
        double first = h.subList(0, k).stream().mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
        double last = h.subList(h.size() - k, h.size()).stream().filter(m -> !m.skipped())
                .mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
        return new Training(steps, first, last, seconds);
    }

    /**
     * The data drawn in another style (the same scenes: {@link Shapes.Style} changes only the drawing), generated
     * afresh under {@code data-STYLE/} (never a stale set of other settings); returns its val table.
     */
    Path styledVal(Shapes.Style style) throws Exception {
        Path dir = ctx.workDir().resolve("data-" + style.id());
        AtomicFiles.deleteTree(dir);
        Shapes.generate(dir, shapes.withStyle(style));
        return dir.resolve("val.tsv");
    }

    /**
     * Zero-shot top-1 on a table of the workbench's classes, by the protocol of {@link #evaluate}: pair scores for a
     * model that scores pairs itself ({@link ImageTextScorer}), embeddings otherwise.
     */
    double zeroShotTop1(Object model, Path table) throws Exception {
        List<String> classes = shapes.classNames();
        DatasetEvals.Labeler labeler = DatasetEvals.format("{color} {shape}");
        ImageTextDataset d = ImageTextDataset.open(table.toString());
        if (model instanceof ImageTextScorer scorer) {
            return DatasetEvals.zeroShot(scorer, d, classes, PROMPTS, labeler, ZeroShotEval.DEFAULT_KS,
                    TieRule.PESSIMISTIC).result().top1();
        }
        ImageTextEncoder encoder = (ImageTextEncoder) model;
        return DatasetEvals.zeroShot(encoder, EncodedDataset.encode(encoder, d), d.spec(), classes, PROMPTS, labeler,
                ZeroShotEval.DEFAULT_KS, TieRule.PESSIMISTIC).top1();
    }

    /** Winoground on the data's {@code winoground.tsv}: by pair scores or, for an encoder, cosine similarity. */
    WinogroundResult winoground(Object model) throws Exception {
        List<WinogroundPair> pairs = Winoground.read(data.resolve("winoground.tsv"));
        if (model instanceof ImageTextScorer scorer) {
            return Winoground.result(pairs, Winoground.scorerScores(scorer, pairs), "score");
        }
        return Winoground.result(pairs, Winoground.cosineScores((ImageTextEncoder) model, pairs), "cosine");
    }

    private Run evaluate(String label, int batch, int steps, double first, double last, double seconds, Clip model)
            throws Exception {
        List<String> classes = shapes.classNames();
        DatasetEvals.Labeler labeler = DatasetEvals.format("{color} {shape}");
        if (model instanceof ImageTextScorer scorer) {
            return scoredEvaluation(label, batch, steps, first, last, seconds, scorer, classes, labeler);
        }
        ImageTextDataset data = ImageTextDataset.open(val.toString());
        EncodedDataset d = EncodedDataset.encode(model, data);
        double zs = DatasetEvals.zeroShot(model, d, data.spec(), classes, PROMPTS, labeler, ZeroShotEval.DEFAULT_KS,
                TieRule.PESSIMISTIC).top1();
        RetrievalResult rr = DatasetEvals.retrieval(model, d, RetrievalEval.DEFAULT_KS, TieRule.PESSIMISTIC);
        return new Run(label, batch, steps, first, last, seconds, zs, rr.imageToText().recallAt(1),
                rr.textToImage().recallAt(1));
    }

    /**
     * The same protocol from pair scores ({@link DatasetEvals#zeroShot(ImageTextScorer, ImageTextDataset, List, List,
     * DatasetEvals.Labeler, int[], TieRule)}: a class scores the mean over its prompts); retrieval ranks the scores
     * of every (image, caption) pair of the split (each val scene is one image with one caption; identical captions
     * are one item, as in {@link DatasetEvals#retrieval}).
     */
    private Run scoredEvaluation(String label, int batch, int steps, double first, double last, double seconds,
                                 ImageTextScorer scorer, List<String> classes, DatasetEvals.Labeler labeler)
            throws Exception {
        double zs = DatasetEvals.zeroShot(scorer, ImageTextDataset.open(val.toString()), classes, PROMPTS, labeler,
                ZeroShotEval.DEFAULT_KS, TieRule.PESSIMISTIC).result().top1();
        List<String> captions = ImageTextDataset.open(val.toString()).captions(Integer.MAX_VALUE);
        EncodedDataset scores = EncodedDataset.score(scorer, ImageTextDataset.open(val.toString()), captions);
        if (scores.size() != captions.size()) {
            throw new IllegalStateException(val + ": " + scores.size() + " images scored for " + captions.size()
                    + " captions (unreadable images?)");
        }
        int[] textToImage = java.util.stream.IntStream.range(0, captions.size()).toArray();
        RetrievalResult rr = RetrievalEval.fromScores(scores.imageEmbeds(), textToImage,
                RetrievalEval.captionGroups(captions), RetrievalEval.DEFAULT_KS, TieRule.PESSIMISTIC);
        return new Run(label, batch, steps, first, last, seconds, zs, rr.imageToText().recallAt(1),
                rr.textToImage().recallAt(1));
    }
}
