package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.EncodedDataset;
import org.vlm4j.eval.TieRule;
import org.vlm4j.eval.ZeroShotEval;
import org.vlm4j.eval.ZeroShotResult;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepCalibration;
import org.vlm4j.train.Trainer;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.TrainingCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The README's main job on its embedded default: generate Shapes, fit a BPE vocabulary to its captions, train a
 * tiny CLIP from scratch, evaluate zero-shot on new images of seen colour-shape classes and on compositions never
 * seen in training, and write the model directory and the training curve.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Generate synthetic data, train a tiny CLIP from scratch, evaluate it zero-shot, save it.")
final class QuickstartCommand implements Callable<Integer> {
    /**
     * The class is the colour and shape of the first-named shape, whatever its size, so the class prompt is the
     * ensemble (averaged embeddings, as CLIP's prompt ensembling) of both sizes; "a large {}" alone (the first-named
     * shape is the large one in every scene with several shapes) is reported beside it.
     */
    static final List<String> TEMPLATES = List.of("a large {}", "a small {}");
    static final List<String> LARGE_PROMPT = List.of("a large {}");
    /**
     * Three images in four are trained on their first-named shape's description alone ("a large red circle", Shapes'
     * {@code short} column), the rest on the full caption: with full captions only, colour, size, count and
     * relation separate almost every in-batch pair and shape is learnt last (BENCHMARKS.md, the recipe sweep).
     */
    static final String CAPTION_MIX = "short:0.75";

    @Option(names = "--out", defaultValue = "vlm4j-quickstart", description = "working directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--preset", defaultValue = "clip-tiny", description = "clip-tiny or siglip-tiny, ... (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--images", defaultValue = "12000", description = "Shapes scenes to generate (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--steps", defaultValue = "1400", description = "training steps of 64 images (default: ${DEFAULT-VALUE}, ~6 minutes here)")
    int steps;

    @Option(names = "--minutes", description = "a training time budget: fewer steps are planned if the measured speed"
            + " would overrun it")
    Double minutes;

    @Option(names = "--caption-mix", defaultValue = CAPTION_MIX, paramLabel = "FIELD:P", description = "train with"
            + " probability P on the Shapes column FIELD instead of the full caption, or 'none' (default:"
            + " ${DEFAULT-VALUE})")
    String captionMix;

    @Option(names = "--seed", defaultValue = "0", description = "seed for data, weights and order (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private static ZeroShotResult zeroShot(Clip clip, EncodedDataset d, String spec, List<String> classes,
                                           List<String> templates, DatasetEvals.Labeler label) {
        return DatasetEvals.zeroShot(clip, d, spec, classes, templates, label, ZeroShotEval.DEFAULT_KS,
                TieRule.PESSIMISTIC);
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        var info = Vlm4jEngine.init();
        var w = spec.commandLine().getOut();
        boolean talk = !json.json;
        Path dataDir = out.resolve("data");
        Shapes.Config shapes = Shapes.Config.of(images, seed);
        Shapes.Summary sum = Shapes.generate(dataDir, shapes);
        if (talk) {
            w.printf("engine: %s%n", info.summary());
            w.printf("data: %d train / %d val / %d held-out Shapes scenes in %s%n", sum.train(), sum.val(), sum.heldout(),
                    dataDir);
        }
        Path trainTsv = dataDir.resolve("train.tsv");
        ClipBpeTokenizer tok = BpeTrainer.of(1000).trainFiles(List.of(trainTsv)).tokenizer();
        ClipConfig config = ClipPresets.get(preset, tok.vocabSize());
        int plannedSteps = steps;
        if (minutes != null) {
            plannedSteps = StepCalibration.stepsWithin(config, tok, ImageTextDataset.open(trainTsv.toString()), minutes, steps,
                    seed);
        }
        TrainOptions opt = new TrainOptions(plannedSteps, 64, 1e-3f, 0.1f, Math.max(1, plannedSteps / 10), 1.0f, 1,
                Math.max(1, plannedSteps / 4), 1, seed, 5, 4,
                "none".equals(captionMix) ? null : CaptionMix.parse(captionMix));
        Map<String, Object> r = new LinkedHashMap<>();
        Path run = out.resolve("run");
        Path prompts = out.resolve("prompts.txt");
        try (Clip clip = SigLip.create(config, tok, seed);
             ProgressReporter progress = new ProgressReporter("train " + preset, talk)) {
            if (talk) {
                w.printf("training %s (%,d parameters, vocabulary %d) for %d steps of 64 images...%n", preset,
                        clip.parameterCount(), tok.vocabSize(), plannedSteps);
            }
            Trainer.Result res = new Trainer(opt, progress).fit(clip, ImageTextDataset.open(trainTsv.toString()), run,
                    false);
            progress.close();
            Path modelDir = out.resolve("model");
            ModelDir.save(clip, modelDir);
            Path curve = out.resolve("training-curve.png");
            AtomicFiles.writeString(prompts, String.join("\n", TEMPLATES) + "\n");
            TrainingCurve.write(res.history(), curve, preset + " on Shapes");
            List<String> classes = shapes.classNames();
            DatasetEvals.Labeler label = DatasetEvals.format("{color} {shape}");
            String valSpec = dataDir.resolve("val.tsv").toString();
            String heldSpec = dataDir.resolve("heldout.tsv").toString();
            EncodedDataset valSet = EncodedDataset.encode(clip, ImageTextDataset.open(valSpec));
            EncodedDataset heldSet = EncodedDataset.encode(clip, ImageTextDataset.open(heldSpec));
            ZeroShotResult val = zeroShot(clip, valSet, valSpec, classes, TEMPLATES, label);
            ZeroShotResult held = zeroShot(clip, heldSet, heldSpec, classes, TEMPLATES, label);
            r.put("zeroshot_top1_size_ensemble", val.top1()); // the headline's prompts since they became the default
            r.put("heldout_top1_size_ensemble", held.top1());
            r.put("zeroshot_top1_large_prompt", zeroShot(clip, valSet, valSpec, classes, LARGE_PROMPT, label).top1());
            r.put("heldout_top1_large_prompt", zeroShot(clip, heldSet, heldSpec, classes, LARGE_PROMPT, label).top1());
            r.put("zeroshot_top1", val.top1());
            r.put("zeroshot_top5", val.top5());
            r.put("heldout_top1", held.top1());
            r.put("heldout_top5", held.top5());
            r.put("classes", classes.size());
            r.put("steps", res.lastStep());
            r.put("final_loss", res.lastLoss());
            r.put("train_images_per_second", res.imagesPerSecond());
            r.put("seconds", (System.nanoTime() - t0) / 1e9);
            r.put("model_dir", modelDir.toString());
            r.put("training_curve", curve.toString());
            r.put("engine", info.summary());
        }
        if (json.json) {
            Cli.printJson(w, r);
        } else {
            w.printf("trained in %d steps (%.0f images/s), final loss %.3f%n", r.get("steps"),
                    r.get("train_images_per_second"), r.get("final_loss"));
            w.printf("zero-shot top-1 on new images of the %d colour-shape classes: %.1f%% (top-5 %.1f%%; prompts"
                    + " 'a large {}' + 'a small {}' averaged; 'a large {}' alone: %.1f%%)%n", r.get("classes"),
                    100 * (double) r.get("zeroshot_top1"), 100 * (double) r.get("zeroshot_top5"),
                    100 * (double) r.get("zeroshot_top1_large_prompt"));
            w.printf("zero-shot top-1 on compositions never seen in training: %.1f%% ('a large {}' alone: %.1f%%)%n",
                    100 * (double) r.get("heldout_top1"), 100 * (double) r.get("heldout_top1_large_prompt"));
            w.printf("model: %s   curve: %s   total %.0f s%n", r.get("model_dir"), r.get("training_curve"), r.get("seconds"));
            w.printf("now try:%n  vlm4j classify --model %s --labels \"red circle,blue square,green star\""
                    + " --template \"a large {}\" --template \"a small {}\" %s%n",
                    r.get("model_dir"), dataDir.resolve("images").toAbsolutePath() + "/<any>.png");
            w.printf("  vlm4j eval zeroshot --model %s --data %s --label '{color} {shape}' --classes %s"
                    + " --templates %s --json%n", r.get("model_dir"), dataDir.resolve("val.tsv"),
                    dataDir.resolve("classes.txt"), prompts);
            w.printf("  vlm4j eval retrieval --model %s --data %s --json%n", r.get("model_dir"),
                    dataDir.resolve("val.tsv"));
        }
        return 0;
    }
}
