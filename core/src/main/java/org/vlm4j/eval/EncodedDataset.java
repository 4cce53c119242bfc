package org.vlm4j.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;

/**
 * One in-order pass of an encoder over a dataset — the input every evaluator works from, so that every protocol reads
 * every data source (tables, class folders, tar shards) the same way. Entries the loader skips (missing, corrupt,
 * caption-less) are counted in {@link #skipped()}, not silently dropped.
 *
 * @param imageEmbeds one L2-normalised embedding per kept entry, in dataset order; from {@link #score}, the entry's
 *                    scores against the given texts instead
 * @param captions    the entry's caption (the class name for class folders)
 * @param meta        the entry's metadata (extra columns, {@code __key__})
 * @param skipped     entries skipped by reason
 */
public record EncodedDataset(float[][] imageEmbeds, List<String> captions, List<Map<String, String>> meta,
                             Map<String, Long> skipped) {

    public static EncodedDataset encode(ImageTextEncoder encoder, ImageTextDataset data)
            throws IOException, InterruptedException {
        return pass(encoder.preprocessor(), data, b -> encoder.encodePixels(b.pixels(), b.size(), b.height(), b.width()));
    }

    /** The same pass for a model that scores pairs: each entry's row holds its scores against {@code texts}. */
    public static EncodedDataset score(ImageTextScorer scorer, ImageTextDataset data, List<String> texts)
            throws IOException, InterruptedException {
        return pass(scorer.preprocessor(), data, b -> scorer.score(b.pixels(), b.size(), b.height(), b.width(), texts));
    }

    private static EncodedDataset pass(ImagePreprocessor preprocessor, ImageTextDataset data,
            java.util.function.Function<Batch, float[][]> rows) throws IOException, InterruptedException {
        List<float[]> embeds = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<Map<String, String>> meta = new ArrayList<>();
        Map<String, Long> skipped;
        Map<String, String> examples;
        try (BatchLoader loader = new BatchLoader(data, preprocessor, BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                embeds.addAll(List.of(rows.apply(b)));
                captions.addAll(b.captions());
                meta.addAll(b.meta());
            }
            skipped = new LinkedHashMap<>(loader.skipped());
            examples = loader.skippedExamples();
        }
        if (embeds.isEmpty()) {
            throw new IllegalArgumentException(data.spec() + ": no readable image (skipped: " + skipped + ", e.g. "
                    + examples.values() + ")");
        }
        return new EncodedDataset(embeds.toArray(new float[0][]), List.copyOf(captions), List.copyOf(meta),
                Map.copyOf(skipped));
    }

    public int size() {
        return imageEmbeds.length;
    }

    /** The entry's identity: {@code __key__} (the image path as written, or the shard key), else its index. */
    public String key(int i) {
        return meta.get(i).getOrDefault("__key__", Integer.toString(i));
    }
}
