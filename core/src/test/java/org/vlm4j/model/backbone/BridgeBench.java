package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Generator;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.FeatureCache;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * The bridge costs of BENCHMARKS.md (bench/bridge.sh), on minigpt4-tiny and blip2-tiny's shapes (random weights: the
 * costs do not depend on them), interleaved so each pair shares the machine's state:
 * <ol>
 *   <li>training images/s with the frozen vision tower's features cached (the cache filled by a first epoch)
 *       against recomputing them every step; median of the per-step rates after 3 warm-up steps;</li>
 *   <li>greedy generation tokens/s after the soft prompt with the KV cache against recomputing the whole sequence
 *       every step, and whether both give the same tokens.</li>
 * </ol>
 * Arguments (key=value, comma-separated): rounds, steps, batch, genBatch, tokens. Prints one JSON line per round.
 */
public final class BridgeBench {
    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (String kv : (args.length == 0 ? "" : args[0]).split(",")) {
            if (kv.contains("=")) {
                a.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "20"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "32"));
        int genBatch = Integer.parseInt(a.getOrDefault("genBatch", "8"));
        int tokens = Integer.parseInt(a.getOrDefault("tokens", "20"));
        Path tmp = Files.createTempDirectory("bridge-bench");
        Path data = tmp.resolve("shapes");
        Shapes.generate(data, Shapes.Config.of(batch * 5, 1).withVocabulary(3, 2).withSize(32)); // 4 batches
        List<String> caps = new ArrayList<>();
        for (String l : Files.readAllLines(data.resolve("train.tsv"))) {
            caps.add(l.split("\t")[1]);
        }
        ClipBpeTokenizer tok = BpeTrainer.of(600).train(caps).tokenizer();
        ImageTextDataset train = ImageTextDataset.open(data.resolve("train.tsv").toString());
        for (String preset : List.of("minigpt4-tiny", "blip2-tiny")) {
            for (int r = 0; r < rounds; r++) {
                double plain = 0;
                double cached = 0;
                for (boolean useCache : new boolean[] {false, true}) {
                    try (Bridge b = (Bridge) org.vlm4j.model.Families.family(Bridges.familyOf(preset)).create(
                            Bridges.preset(preset, tok.vocabSize()), tok, 1)) {
                        int total = steps + (useCache ? 4 : 0); // + one epoch that fills the cache
                        if (useCache) {
                            b.setFeatureCache(FeatureCache.inMemory());
                        }
                        TrainOptions o = new TrainOptions(total, batch, 1e-3f, 0f, 1, 1f, 1, total, 1, 1, 5, 4);
                        List<StepMetrics> h = new Trainer(o, null).fit(b, train, tmp.resolve("run-" + r + useCache
                                + preset), false).history();
                        double[] ips = h.subList(total - steps + 3, total).stream()
                                .mapToDouble(StepMetrics::imagesPerSecond).sorted().toArray();
                        double med = ips[ips.length / 2];
                        if (useCache) {
                            cached = med;
                        } else {
                            plain = med;
                        }
                    }
                }
                double[] gen = generation(preset, tok, genBatch, tokens, data);
                System.out.printf("{\"preset\":\"%s\",\"round\":%d,\"train_images_per_s\":%.1f,"
                        + "\"train_images_per_s_cached\":%.1f,\"cache_speedup\":%.2f,\"gen_tokens_per_s_kv\":%.1f,"
                        + "\"gen_tokens_per_s_recompute\":%.1f,\"kv_speedup\":%.2f,\"same_tokens\":%s}%n", preset, r,
                        plain, cached, cached / plain, gen[0], gen[1], gen[0] / gen[1], gen[2] == 1);
            }
        }
    }

    /** {KV tokens/s, recompute tokens/s, 1 if the same tokens}. */
    static double[] generation(String preset, ClipBpeTokenizer tok, int n, int tokens, Path data) throws Exception {
        try (Bridge b = (Bridge) org.vlm4j.model.Families.family(Bridges.familyOf(preset)).create(
                Bridges.preset(preset, tok.vocabSize()), tok, 2);
             NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = NDManager.newBaseManager()) {
            NDArray px = new org.vlm4j.nn.Init(m, 3).normal(1.0, n, 3, 32, 32);
            NDArray prefix = b.prefix(b.visual().tokens(px), new Bridge.Task[n]);
            long[][] prompts = new long[n][];
            for (int i = 0; i < n; i++) {
                prompts[i] = new long[] {tok.sotId()};
            }
            GenerationConfig cfg = GenerationConfig.greedy(tokens, Set.of());
            Generator.generate(b.lm(), prefix, prompts, cfg); // warm-up
            long t0 = System.nanoTime();
            long[][] kv = Generator.generate(b.lm(), prefix, prompts, cfg).tokens();
            double kvSecs = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long[][] seqs = new long[n][tokens + 1];
            for (int i = 0; i < n; i++) {
                seqs[i][0] = tok.sotId();
            }
            for (int t = 1; t <= tokens; t++) {
                long[] flat = new long[n * t];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(seqs[i], 0, flat, i * t, t);
                }
                NDArray x = prefix.concat(b.lm().embedTokens(m.create(flat, new Shape(n, t))), 1);
                NDArray logits = b.lm().logitsFromEmbeddings(x, null, null, null);
                long[] next = logits.get(":, -1, :").argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    seqs[i][t] = next[i];
                }
            }
            double fullSecs = (System.nanoTime() - t0) / 1e9;
            boolean same = true;
            for (int i = 0; i < n; i++) {
                same &= Arrays.equals(kv[i], Arrays.copyOfRange(seqs[i], 1, tokens + 1));
            }
            return new double[] {n * tokens / kvSecs, n * tokens / fullSecs, same ? 1 : 0};
        }
    }
}
