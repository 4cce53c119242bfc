package org.vlm4j.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.model.Captioner;
import org.vlm4j.nn.GenerationConfig;

/**
 * The captioning protocol: every distinct image of a dataset (rows with the same image path, or shard key, are one
 * image whose captions are all its references) is captioned once, and the captions are scored against the
 * references with corpus BLEU-1..4 and CIDEr-D after {@link CaptionTokens} tokenisation.
 */
public final class CaptioningEval {
    private CaptioningEval() {}

    public static CaptioningResult evaluate(Captioner model, ImageTextDataset data, GenerationConfig generation)
            throws IOException, InterruptedException {
        Map<String, Integer> index = new LinkedHashMap<>();
        List<String> captions = new ArrayList<>();
        List<List<String>> references = new ArrayList<>();
        Map<String, Long> skipped;
        try (BatchLoader loader = new BatchLoader(data, model.preprocessor(), BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                int per = b.imageFloats();
                float[] fresh = new float[b.pixels().length];
                int k = 0;
                for (int i = 0; i < b.size(); i++) {
                    String key = b.meta().get(i).getOrDefault("__key__", "#" + (index.size()));
                    Integer at = index.get(key);
                    if (at == null) {
                        index.put(key, references.size());
                        references.add(new ArrayList<>());
                        System.arraycopy(b.pixels(), i * per, fresh, k * per, per);
                        k++;
                        at = references.size() - 1;
                    }
                    references.get(at).add(b.captions().get(i));
                }
                if (k > 0) {
                    captions.addAll(model.caption(Arrays.copyOf(fresh, k * per), k, b.height(), b.width(), generation));
                }
            }
            skipped = new LinkedHashMap<>(loader.skipped());
        }
        if (captions.isEmpty()) {
            throw new IllegalArgumentException(data.spec() + ": no readable image (skipped: " + skipped + ")");
        }
        return score(new ArrayList<>(index.keySet()), captions, references, skipped);
    }

    /** Scores given captions against their references (one list of references per caption). */
    public static CaptioningResult score(List<String> images, List<String> captions, List<List<String>> references,
                                         Map<String, Long> skipped) {
        List<List<String>> cand = captions.stream().map(CaptionTokens::of).toList();
        List<List<List<String>>> refs = references.stream()
                .map(rs -> rs.stream().map(CaptionTokens::of).toList()).toList();
        Bleu.Result bleu = Bleu.corpus(cand, refs);
        CiderD.Result cider = CiderD.corpus(cand, refs);
        return new CaptioningResult(bleu.bleu(), cider.score(), List.copyOf(images), List.copyOf(captions),
                references.stream().map(List::copyOf).toList(), Map.copyOf(skipped));
    }
}
