package org.vlm4j.train;

import java.nio.file.Path;

/** Progress callbacks (the CLI draws its progress bar from these). All methods are optional. */
public interface TrainListener {
    default void onStart(long firstStep, long totalSteps) {}

    default void onStep(StepMetrics m) {}

    default void onCheckpoint(long step, Path dir) {}

    default void onFinish() {}

    TrainListener NONE = new TrainListener() {};
}
