package org.vlm4j.cli;

import org.vlm4j.eval.DatasetEvals;
import picocli.CommandLine.Option;

/** The shared --label option of the labelled evaluations: an entry's class from its columns. */
final class LabelOption {
    @Option(names = "--label", paramLabel = "FORMAT", description = "the class of an entry from its columns, e.g."
            + " '{color} {shape}' or '{class}' (default: the caption; for class folders, the folder name)")
    String format;

    DatasetEvals.Labeler labeler() {
        return format == null ? DatasetEvals.CAPTION : DatasetEvals.format(format);
    }
}
