package org.vlm4j.model.generative;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.eval.EncodedDataset;
import org.vlm4j.model.ImageTextEncoder;

/**
 * The documents CM3leon's retrieval-augmented pretraining prepends (Yasunaga et al. 2023, RA-CM3): a dense retriever
 * (any {@link ImageTextEncoder}, e.g. a CLIP trained here) embeds every image-caption pair of the training set as
 * the normalised sum of its image and text embeddings; each entry's documents are the other entries chosen by
 * maximal marginal relevance (relevant to the entry, unlike each other) among its nearest neighbours by cosine, by
 * exact search over the in-memory matrix (tiny data; no approximate index is needed). Never the entry itself (its
 * key) nor a near-duplicate of it (cosine above {@code duplicateCap}), which would let the model copy the answer.
 * Built once before training; each document is kept as its caption and its image's codes.
 */
public final class FusionDocuments {
    /** MMR's default trade-off: mostly relevance, some diversity. */
    public static final double DEFAULT_LAMBDA = 0.7;
    /** Never retrieve what is at least this similar to the query: a duplicate of the sample, not a related one. */
    public static final double DEFAULT_DUPLICATE_CAP = 0.995;
    /** Candidates MMR picks from, per wanted document. */
    static final int POOL = 8;

    private final Map<String, Integer> index;
    private final List<String> captions;
    private final int[][] codes;
    private final int[][] neighbours;

    private FusionDocuments(Map<String, Integer> index, List<String> captions, int[][] codes, int[][] neighbours) {
        this.index = index;
        this.captions = captions;
        this.codes = codes;
        this.neighbours = neighbours;
    }

    /**
     * @param retriever    embeds the entries (its own preprocessing)
     * @param images       the fusion model's image tokenizer, which turns each document's image into codes
     * @param k            documents per entry
     * @param lambda       MMR's trade-off: 1 = nearest neighbours only, lower = more diverse
     * @param duplicateCap entries at least this similar to the query are never retrieved
     */
    public static FusionDocuments build(ImageTextEncoder retriever, VqVae images, ImageTextDataset data, int k,
                                        double lambda, double duplicateCap) throws IOException, InterruptedException {
        EncodedDataset enc = EncodedDataset.encode(retriever, data);
        float[][] text = retriever.encodeTexts(enc.captions());
        float[][] docs = new float[enc.size()][];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < enc.size(); i++) {
            docs[i] = normalise(enc.imageEmbeds()[i], text[i]);
            if (index.putIfAbsent(enc.key(i), i) != null) {
                throw new IllegalArgumentException(data.spec() + ": key '" + enc.key(i) + "' appears twice; retrieval"
                        + " needs one entry per key to keep each sample out of its own documents");
            }
        }
        int[][] codes = new int[enc.size()][];
        try (BatchLoader loader = new BatchLoader(data, images.preprocessor(), BatchLoader.Options.sequential(64))) {
            for (Batch b = loader.next(); b != null; b = loader.next()) {
                int[][] c = images.tokenize(b.pixels(), b.size(), b.height(), b.width());
                for (int i = 0; i < b.size(); i++) {
                    Integer at = index.get(b.meta().get(i).get("__key__"));
                    if (at != null) {
                        codes[at] = c[i];
                    }
                }
            }
        }
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == null) {
                throw new IllegalArgumentException(data.spec() + ": entry '" + enc.key(i) + "' was read by the"
                        + " retriever but not by the image tokenizer");
            }
        }
        return new FusionDocuments(index, enc.captions(), codes, select(docs, k, lambda, duplicateCap));
    }

    static float[] normalise(float[] a, float[] b) {
        float[] out = new float[a.length];
        double n = 0;
        for (int d = 0; d < a.length; d++) {
            out[d] = a[d] + b[d];
            n += out[d] * out[d];
        }
        for (int d = 0; d < a.length; d++) {
            out[d] /= (float) Math.sqrt(Math.max(n, 1e-24));
        }
        return out;
    }

    /**
     * For every row of {@code emb} (unit vectors), the indices of {@code k} others by MMR over its
     * {@code POOL * k} nearest: each pick maximises {@code lambda sim(q, c) - (1 - lambda) max sim(c, picked)}.
     * Rows at cosine >= {@code duplicateCap} to the query, and the query itself, are never candidates; an entry with
     * fewer candidates gets fewer documents.
     */
    public static int[][] select(float[][] emb, int k, double lambda, double duplicateCap) {
        int n = emb.length;
        int pool = Math.min(n - 1, POOL * k);
        int[][] out = new int[n][];
        for (int q = 0; q < n; q++) {
            // the pool: the most similar others, below the duplicate cap
            int[] cand = new int[pool];
            float[] candSim = new float[pool];
            int size = 0;
            for (int c = 0; c < n; c++) {
                if (c == q) {
                    continue;
                }
                float s = dot(emb[q], emb[c]);
                if (s >= duplicateCap || (size == pool && s <= candSim[size - 1])) {
                    continue;
                }
                int at = size == pool ? size - 1 : size++;
                while (at > 0 && candSim[at - 1] < s) { // insertion into the sorted pool
                    cand[at] = cand[at - 1];
                    candSim[at] = candSim[at - 1];
                    at--;
                }
                cand[at] = c;
                candSim[at] = s;
            }
            List<Integer> picked = new ArrayList<>();
            boolean[] used = new boolean[size];
            while (picked.size() < Math.min(k, size)) {
                int best = -1;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < size; j++) {
                    if (used[j]) {
                        continue;
                    }
                    double redundancy = 0;
                    for (int p : picked) {
                        redundancy = Math.max(redundancy, dot(emb[cand[j]], emb[p]));
                    }
                    double score = lambda * candSim[j] - (picked.isEmpty() ? 0 : (1 - lambda) * redundancy);
                    if (score > bestScore) {
                        bestScore = score;
                        best = j;
                    }
                }
                used[best] = true;
                picked.add(cand[best]);
            }
            out[q] = picked.stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /** Documents retrieved per entry (fewer only where the data has fewer candidates). */
    public int perEntry() {
        int min = Integer.MAX_VALUE;
        for (int[] row : neighbours) {
            min = Math.min(min, row.length);
        }
        return neighbours.length == 0 ? 0 : min;
    }

    public int size() {
        return captions.size();
    }

    /** The entries retrieved for the entry of that key, best first; an unknown key is an error naming it. */
    public int[] neighboursOf(String key) {
        Integer at = index.get(key);
        if (at == null) {
            throw new IllegalArgumentException("no retrieved documents for entry '" + key + "': it was not in the data"
                    + " the index was built from");
        }
        return neighbours[at].clone();
    }

    /** The index of an entry by key, or -1. */
    public int indexOf(String key) {
        return index.getOrDefault(key, -1);
    }

    public String caption(int entry) {
        return captions.get(entry);
    }

    /** The first {@code k} documents of an entry, as the model reads them. */
    List<long[]> documents(String key, int k, FusionSequences sequences) {
        int[] nb = neighboursOf(key);
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, nb.length); i++) {
            out.add(sequences.document(captions.get(nb[i]), codes[nb[i]]));
        }
        return out;
    }
}
