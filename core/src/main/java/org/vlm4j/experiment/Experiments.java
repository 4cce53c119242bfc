package org.vlm4j.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The experiments {@code vlm4j experiment NAME} runs, by name. */
public final class Experiments {
    private static final Map<String, Experiment> ALL = new LinkedHashMap<>();

    static {
        add(ContrastiveBatchExperiment.siglipVsClip());
        add(ContrastiveBatchExperiment.infoNce());
        add(new LlipVsClipExperiment());
        add(new GenerativeVsDiscriminativeExperiment());
        add(new ProjectionOnlyExperiment());
    }

    private Experiments() {}

    private static void add(Experiment e) {
        ALL.put(e.name(), e);
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** Runs an experiment and writes its table as {@code NAME.md} in the work directory (temporary name, renamed). */
    public static Result run(Experiment e, ExperimentContext ctx) throws Exception {
        ExperimentTable table = e.run(ctx);
        java.nio.file.Files.createDirectories(ctx.workDir());
        java.nio.file.Path md = ctx.workDir().resolve(e.name() + ".md");
        org.vlm4j.io.AtomicFiles.writeString(md, table.toMarkdown());
        return new Result(table, md);
    }

    /** A finished experiment: its table and where its markdown was written. */
    public record Result(ExperimentTable table, java.nio.file.Path markdown) {}

    /** The experiment of that name, or a clear error listing the known ones. */
    public static Experiment get(String name) {
        Experiment e = ALL.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown experiment '" + name + "' (" + String.join(", ", ALL.keySet())
                    + ")");
        }
        return e;
    }
}
