package org.vlm4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.train.JsonLines;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainListener;

/**
 * Evaluation during training ({@code vlm4j train --eval-every N}): every N steps and at the last step, retrieval
 * R@1/R@5 on an evaluation set (and zero-shot top-1/top-5 when a labeller is given), appended as one JSON line to
 * {@code RUN_DIR/eval.jsonl}. It only reads the model (no gradient, no random numbers), so a run's losses are the
 * same with or without it; on resume, lines after the resumed step are dropped so the file reads as one run.
 */
public final class PeriodicEval implements TrainListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Zero-shot settings: the class of each entry, the candidate classes (null: the distinct labels), templates. */
    public record ZeroShotSpec(DatasetEvals.Labeler labeler, List<String> classNames, List<String> templates) {}

    private final ImageTextEncoder encoder;
    private final ImageTextDataset data;
    private final int every;
    private final Path file;
    private final ZeroShotSpec zeroShot;
    private long totalSteps;
    private Map<String, Object> latest = Map.of();

    public PeriodicEval(ImageTextEncoder encoder, ImageTextDataset data, int every, Path runDir, ZeroShotSpec zeroShot) {
        if (every <= 0) {
            throw new IllegalArgumentException("--eval-every must be positive, got " + every);
        }
        this.encoder = encoder;
        this.data = data;
        this.every = every;
        this.file = runDir.resolve("eval.jsonl");
        this.zeroShot = zeroShot;
    }

    /** The last evaluation's figures (empty before the first). */
    public Map<String, Object> latest() {
        return latest;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        this.totalSteps = totalSteps;
        try {
            JsonLines.keepUpTo(file, firstStep - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the earlier evaluations", e);
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        if (m.step() % every == 0 || m.step() == totalSteps) {
            evaluate(m.step());
        }
    }

    private void evaluate(long step) {
        try {
            EncodedDataset d = EncodedDataset.encode(encoder, data);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", step);
            RetrievalResult ret = DatasetEvals.retrieval(encoder, d, new int[] {1, 5}, TieRule.PESSIMISTIC);
            for (Map.Entry<String, Object> e : ret.toJson().entrySet()) {
                if (e.getKey().contains("R@")) {
                    r.put(e.getKey(), e.getValue());
                }
            }
            if (zeroShot != null) {
                List<String> classes = zeroShot.classNames() != null ? zeroShot.classNames()
                        : DatasetEvals.classNames(data, DatasetEvals.labels(d, zeroShot.labeler()));
                ZeroShotResult z = DatasetEvals.zeroShot(encoder, d, data.spec(), classes, zeroShot.templates(),
                        zeroShot.labeler(), ZeroShotEval.DEFAULT_KS, TieRule.PESSIMISTIC);
                r.put("zeroshot_top1", z.top1());
                r.put("zeroshot_top5", z.top5());
            }
            r.put("n", d.size());
            Files.writeString(file, JSON.writeValueAsString(r) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            latest = r;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": evaluation at step " + step + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while evaluating at step " + step, e);
        }
    }
}
