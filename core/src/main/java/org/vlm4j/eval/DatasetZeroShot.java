package org.vlm4j.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.ImageTextEncoder;

/** Zero-shot evaluation over a labelled dataset: one pass in order, the label taken from each entry's metadata. */
public final class DatasetZeroShot {
    private DatasetZeroShot() {}

    /**
     * @param labelOf the class name of an entry from its metadata (e.g. color + " " + shape for Shapes); an entry
     *                whose class is not in {@code classNames} is an error naming it
     */
    public static ZeroShotResult evaluate(ImageTextEncoder encoder, ImageTextDataset data, List<String> classNames,
                                          List<String> templates, Function<Map<String, String>, String> labelOf)
            throws IOException, InterruptedException {
        List<float[]> embeds = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(data, encoder.preprocessor(), BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                embeds.addAll(List.of(encoder.encodePixels(b.pixels(), b.size(), b.height(), b.width())));
                for (Map<String, String> meta : b.meta()) {
                    String label = labelOf.apply(meta);
                    int idx = classNames.indexOf(label);
                    if (idx < 0) {
                        throw new IllegalArgumentException(data.spec() + ": class '" + label + "' is not among "
                                + classNames.size() + " class names");
                    }
                    labels.add(idx);
                }
            }
        }
        return ZeroShotEval.evaluate(encoder, classNames, templates, embeds.toArray(new float[0][]),
                labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
