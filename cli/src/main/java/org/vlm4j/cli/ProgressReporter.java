package org.vlm4j.cli;

import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainListener;

/** Draws training progress (ETA, throughput, loss) on stderr when it is a terminal; quiet otherwise. */
final class ProgressReporter implements TrainListener, AutoCloseable {
    private final String task;
    private final boolean enabled;
    private ProgressBar bar;

    ProgressReporter(String task, boolean enabled) {
        this.task = task;
        this.enabled = enabled && System.console() != null;
    }

    @Override
    public void onStart(long firstStep, long totalSteps) {
        if (enabled) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).continuousUpdate().setUnit(" steps", 1).startsFrom(firstStep - 1,
                            java.time.Duration.ZERO).build();
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format("loss %.4f, %.0f img/s", m.loss(), m.imagesPerSecond()));
        }
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        if (bar != null) {
            bar.setExtraMessage("checkpoint " + step);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
