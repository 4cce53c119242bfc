package org.vlm4j.experiment;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every experiment runs with. The budget is the number of image-caption pairs each trained model sees (steps x
 * batch, equal for every compared model): given as {@code pairsPerRun}, or as {@code budgetMinutes} for the whole
 * experiment, turned into pairs by timing real training steps of clip-tiny on the experiment's data and sharing the
 * time evenly among its runs. The data are Shapes scenes of {@code colors} x {@code shapes} classes.
 *
 * @param workDir       where data, runs and the result table are written
 * @param pairsPerRun   image-caption pairs each model trains on, or null to derive them from the minutes
 * @param budgetMinutes the whole experiment's training time, used when pairsPerRun is null
 * @param scenes        Shapes scenes to generate (train / val / held-out split as {@code vlm4j data shapes})
 * @param log           progress lines (null: quiet)
 */
public record ExperimentContext(Path workDir, Long pairsPerRun, Double budgetMinutes, int scenes, int colors,
                                int shapes, long seed, Consumer<String> log) {
    public ExperimentContext {
        if (pairsPerRun == null && budgetMinutes == null) {
            throw new IllegalArgumentException("an experiment needs a budget: pairs per run or minutes");
        }
        if (pairsPerRun != null && pairsPerRun < 1 || budgetMinutes != null && !(budgetMinutes > 0)) {
            throw new IllegalArgumentException("the budget must be positive, got pairs " + pairsPerRun + ", minutes "
                    + budgetMinutes);
        }
        if (scenes < 20) {
            throw new IllegalArgumentException("an experiment needs at least 20 Shapes scenes, got " + scenes);
        }
    }

    void say(String format, Object... args) {
        if (log != null) {
            log.accept(String.format(java.util.Locale.ROOT, format, args));
        }
    }
}
