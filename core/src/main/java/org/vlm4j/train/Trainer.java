package org.vlm4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.nn.Param;

/**
 * The one trainer: AdamW with warmup + cosine, global-norm clipping, gradient accumulation, a non-finite guard,
 * metrics.jsonl, and atomic checkpoints from which {@code resume} continues bit-identically (same weights, moments,
 * step, learning rate and data position; the data order depends only on the seed and the position).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a run ended. */
    public record Result(long firstStep, long lastStep, long nonFiniteSkipped, Map<String, Long> dataSkipped,
                         double seconds, double imagesPerSecond, float lastLoss, List<StepMetrics> history) {}

    private final TrainOptions options;
    private final TrainListener listener;

    public Trainer(TrainOptions options, TrainListener listener) {
        this.options = options;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    public Result fit(Pretrainable model, ImageTextDataset data, Path runDir, boolean resume)
            throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Map<String, Param> params = model.module().namedParams();
        for (Param p : params.values()) {
            p.array().setRequiresGradient(p.trainable());
        }
        NDManager modelManager = params.values().iterator().next().array().getManager();
        AdamW opt = new AdamW(modelManager, 0.9f, 0.98f, 1e-6f, options.weightDecay(),
                name -> AdamW.defaultDecays(name, params.get(name).array().getShape().dimension()));
        long step = 0;
        BatchLoader.Position position = new BatchLoader.Position(0, 0);
        Map<String, Long> counters = new LinkedHashMap<>();
        Optional<Path> latest = resume ? Checkpoint.latest(runDir) : Optional.empty();
        if (latest.isPresent()) {
            Checkpoint.State s = Checkpoint.load(latest.get(), model.module(), opt);
            if (s.seed() != options.seed()) {
                throw new IllegalArgumentException(latest.get() + ": was trained with seed " + s.seed()
                        + ", not " + options.seed() + " (resume needs the same seed)");
            }
            step = s.step();
            position = new BatchLoader.Position(s.dataEpoch(), s.dataOffset());
            counters.putAll(s.counters());
            LOG.info("resuming from {} (step {})", latest.get(), step);
        } else if (resume) {
            LOG.info("no checkpoint in {}; starting from step 0", runDir);
        }
        Path metricsFile = runDir.resolve("metrics.jsonl");
        JsonLines.keepUpTo(metricsFile, step);

        LrSchedule schedule = new LrSchedule(options.lr(), options.warmupSteps(), options.steps());
        long first = step + 1;
        long nonFiniteRun = 0;
        long nonFinite = counters.getOrDefault("non_finite_skipped", 0L);
        List<StepMetrics> history = new ArrayList<>();
        long images = 0;
        long t0 = System.nanoTime();
        float lastLoss = Float.NaN;
        listener.onStart(first, options.steps());
        try (BatchLoader loader = new BatchLoader(data, model.preprocessor(), BatchLoader.Options.training(
                options.batchSize(), options.seed()).withStart(position).withPrefetch(options.prefetchBatches())
                .withCaptionMix(options.captionMix()));
             BufferedWriter metrics = Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (step < options.steps()) {
                long stepStart = System.nanoTime();
                if (Boolean.getBoolean("vlm4j.debug.gcEveryStep")) {
                    // A regression harness: a GC before every step exposes native memory freed under autograd (it is
                    // how the scalar-constant fault in nn.Scalars was found); results must not change.
                    System.gc();
                }
                List<Batch> micro = new ArrayList<>(options.accumulate());
                for (int i = 0; i < options.accumulate(); i++) {
                    micro.add(loader.next());
                }
                position = micro.get(micro.size() - 1).end();
                step++;
                Map<String, Float> terms;
                try (NDScope scope = new NDScope(); NDManager m = modelManager.newSubManager()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        terms = model.forwardBackward(micro, gc, m);
                    }
                }
                float total = 0;
                String bad = null;
                for (Map.Entry<String, Float> t : terms.entrySet()) {
                    total += t.getValue();
                    if (!Float.isFinite(t.getValue()) && bad == null) {
                        bad = "loss term '" + t.getKey() + "' = " + t.getValue();
                    }
                }
                double gradNorm = GradientClipping.clip(params.values(), options.clipNorm());
                if (bad == null && !Double.isFinite(gradNorm)) {
                    bad = "gradient norm = " + gradNorm;
                }
                float lr = schedule.at((int) step - 1);
                boolean skipped = bad != null;
                if (skipped) {
                    nonFinite++;
                    nonFiniteRun++;
                    LOG.warn("step {}: {}; update skipped (seed {})", step, bad, options.seed());
                    if (nonFiniteRun >= options.maxNonFiniteInARow()) {
                        throw new TrainingDivergedException("training stopped at step " + step + ": " + bad + " ("
                                + nonFiniteRun + " non-finite steps in a row)");
                    }
                } else {
                    nonFiniteRun = 0;
                    opt.update(params, lr);
                    model.afterUpdate();
                    lastLoss = total;
                }
                for (Param p : params.values()) {
                    if (p.trainable()) {
                        JniUtils.zeroGrad((PtNDArray) p.array());
                    }
                }
                int n = 0;
                for (Batch b : micro) {
                    n += b.size();
                }
                images += n;
                double ips = n / ((System.nanoTime() - stepStart) / 1e9);
                StepMetrics sm = new StepMetrics(step, terms, total, lr, gradNorm, ips, skipped, model.stepMetrics());
                history.add(sm);
                metrics.write(JSON.writeValueAsString(sm));
                metrics.newLine();
                metrics.flush();
                listener.onStep(sm);
                if (step % options.checkpointEvery() == 0 || step == options.steps()) {
                    counters.put("non_finite_skipped", nonFinite);
                    Path dir = Checkpoint.save(runDir, model.module(), opt, new Checkpoint.State(step, opt.step(),
                            position.epoch(), position.offset(), options.seed(), counters), options.keepCheckpoints());
                    listener.onCheckpoint(step, dir);
                }
            }
            listener.onFinish();
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(first, step, nonFinite, loader.skipped(), secs, images / secs, lastLoss, history);
        }
    }
}
