package org.vlm4j.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HNSW against the exact brute-force search on 20,000 random unit vectors: recall@10 of at least 0.95. */
class VectorIndexRecallTest {
    static final int N = 20_000;
    static final int DIM = 64;
    static final int QUERIES = 200;

    @TempDir
    Path tmp;

    static float[] unit(Random r, int d) {
        float[] v = new float[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    static IndexedImage image(int i) {
        return new IndexedImage("/data/img-" + i + ".png", "caption " + i, "s" + i, Path.of("/data/img-" + i + ".png"),
                null, 0, -1);
    }

    @Test
    void hnswRecallAt10IsAtLeast95PercentOfExact() throws Exception {
        Random r = new Random(7);
        IndexMeta meta = new IndexMeta("f".repeat(64), "/models/x", "clip", DIM, List.of("/data"));
        try (VectorIndex idx = VectorIndex.openForWriting(tmp.resolve("idx"), meta)) {
            for (int i = 0; i < N; i++) {
                idx.upsert(image(i), unit(r, DIM));
            }
            idx.commit();
            assertEquals(N, idx.count());
            int found = 0;
            for (int q = 0; q < QUERIES; q++) {
                float[] query = unit(r, DIM);
                List<SearchHit> exact = idx.exactSearch(query, 10);
                List<SearchHit> approx = idx.search(query, 10);
                assertEquals(10, exact.size());
                assertEquals(10, approx.size());
                for (int i = 1; i < 10; i++) {
                    assertTrue(exact.get(i - 1).score() >= exact.get(i).score(), "exact results are best first");
                    assertTrue(approx.get(i - 1).score() >= approx.get(i).score(), "HNSW results are best first");
                }
                Set<String> truth = new HashSet<>();
                exact.forEach(h -> truth.add(h.path()));
                for (SearchHit h : approx) {
                    if (truth.contains(h.path())) {
                        found++;
                    }
                }
                // The scores are cosines: HNSW's best equals the exact best when it finds it.
                if (approx.get(0).path().equals(exact.get(0).path())) {
                    assertEquals(exact.get(0).score(), approx.get(0).score(), 1e-5);
                }
            }
            double recall = found / (double) (QUERIES * 10);
            System.out.printf("HNSW recall@10 on %d random %d-d unit vectors: %.4f%n", N, DIM, recall);
            assertTrue(recall >= 0.95, "recall@10 " + recall);
        }
    }
}
