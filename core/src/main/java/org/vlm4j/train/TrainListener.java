package org.vlm4j.train;

import java.nio.file.Path;

/** Progress callbacks (the CLI draws its progress bar from these). All methods are optional. */
public interface TrainListener {
    default void onStart(long firstStep, long totalSteps) {}

    default void onStep(StepMetrics m) {}

    default void onCheckpoint(long step, Path dir) {}

    default void onFinish() {}

    TrainListener NONE = new TrainListener() {};

    /** Calls each listener in turn. */
    static TrainListener all(TrainListener... listeners) {
        java.util.List<TrainListener> ls = java.util.List.of(listeners);
        return new TrainListener() {
            @Override
            public void onStart(long firstStep, long totalSteps) {
                ls.forEach(l -> l.onStart(firstStep, totalSteps));
            }

            @Override
            public void onStep(StepMetrics m) {
                ls.forEach(l -> l.onStep(m));
            }

            @Override
            public void onCheckpoint(long step, Path dir) {
                ls.forEach(l -> l.onCheckpoint(step, dir));
            }

            @Override
            public void onFinish() {
                ls.forEach(TrainListener::onFinish);
            }
        };
    }
}
