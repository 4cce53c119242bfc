package org.vlm4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.VisionConfig;

/**
 * Where the image-embedding time goes: a replica of {@code VisionTransformer.encode} (ViT, class-token pool, the
 * presets' configuration: no QK-norm, no LayerScale, no patch bias) built from the model's own parameters, op for op
 * the same DJL calls as {@code org.vlm4j.nn}, with a clock around each op (PyTorch CPU ops are synchronous, so the
 * clock sees each op's whole cost). Checks that the replica's output matches {@code visual.encode} first. Not a test.
 *
 * <pre>
 * java -cp ... org.vlm4j.bench.ImageEmbedProfile vit-b-32 16 10 3 [variant...]
 * </pre>
 *
 * Arguments: preset, batch, timed iterations, warm-up iterations, then the variants to compare (default
 * {@code base}). Variants are experiments for our blocks, kept here (not in core): {@code base} (the same ops as
 * core), {@code fold} (softmax scale folded into the q rows of the QKV weight and bias once, so no per-batch
 * {@code q * scale}), {@code inplace} (residual adds and the QuickGELU's last multiply in place),
 * {@code patchlinear} (patch embedding as reshape/permute + one GEMM instead of the strided conv), {@code qgfold}
 * (QuickGELU models: 1.702 folded into fc1's weight and bias and 1/1.702 into fc2's weight once, so the activation
 * is {@code sigmoid(f) * f} in two ops, the multiply in place, instead of three), {@code all} (all of them).
 * Variants run interleaved; each is timed both per op (with clocks) and end to end (no clocks); medians are over the
 * passes that other processes left alone ({@link LoadMonitor}, {@code -Dbench.foreignMax=0.10}).
 */
public final class ImageEmbedProfile {

    private final VisionConfig c;
    private final Map<String, NDArray> p = new LinkedHashMap<>();
    private final NDManager manager;
    private final Map<String, long[]> clock = new LinkedHashMap<>();
    private boolean timing;
    private boolean fold;
    private boolean inplace;
    private boolean patchLinear;
    private boolean qgFold;
    private final List<NDArray[]> qgFolded = new ArrayList<>();
    private final List<NDArray> foldedQkvW = new ArrayList<>();
    private final List<NDArray> foldedQkvB = new ArrayList<>();
    private NDArray patchMatrix;

    private ImageEmbedProfile(Clip model) {
        this.c = model.config().vision();
        this.manager = model.manager().newSubManager();
        for (Map.Entry<String, Param> e : model.namedParams().entrySet()) {
            if (e.getKey().startsWith("visual.")) {
                p.put(e.getKey().substring("visual.".length()), e.getValue().array());
            }
        }
        if (c.qkNorm() || c.layerScaleInit() > 0 || c.patchBias() || !c.pool().equals("tok") || !c.lnPre()) {
            throw new IllegalArgumentException("the profiler replicates the CLIP presets' ViT only");
        }
        // Precomputed variants of the weights (outside any timing).
        float scale = (float) (1.0 / Math.sqrt(c.width() / (double) c.heads()));
        long d = c.width();
        for (int i = 0; i < c.layers(); i++) {
            NDArray w = p.get(block(i) + "attn.qkv.weight");
            NDArray b = p.get(block(i) + "attn.qkv.bias");
            float[] sw = new float[(int) (3 * d)];
            for (int r = 0; r < 3 * d; r++) {
                sw[r] = r < d ? scale : 1f;
            }
            NDArray rowScale = manager.create(sw, new Shape(3 * d));
            foldedQkvW.add(w.mul(rowScale.reshape(3 * d, 1)));
            foldedQkvB.add(b.mul(rowScale));
        }
        for (int i = 0; i < c.layers(); i++) { // QuickGELU's 1.702 folded into fc1, its inverse into fc2
            qgFolded.add(new NDArray[] {p.get(block(i) + "mlp.fc1.weight").mul(1.702f),
                p.get(block(i) + "mlp.fc1.bias").mul(1.702f), p.get(block(i) + "mlp.fc2.weight").div(1.702f)});
        }
        int ps = c.patchSize();
        patchMatrix = p.get("patch_embed.weight").reshape(d, 3L * ps * ps); // [D, 3*p*p], (c, ky, kx) order
        NDScope.unregister(patchMatrix);
        patchMatrix.attach(manager);
    }

    private static String block(int i) {
        return "transformer.blocks." + i + ".";
    }

    private interface Op {
        NDArray run();
    }

    private NDArray t(String name, Op op) {
        if (!timing) {
            return op.run();
        }
        long t0 = System.nanoTime();
        NDArray r = op.run();
        long dt = System.nanoTime() - t0;
        long[] acc = clock.computeIfAbsent(name, k -> new long[2]);
        acc[0] += dt;
        acc[1]++;
        return r;
    }

    private NDArray linear(NDArray x, NDArray w, NDArray b) {
        return b == null ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String prefix) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(c.width()), p.get(prefix + "weight"), p.get(prefix + "bias"),
                c.lnEps()).singletonOrThrow();
    }

    /** The replica of VisionTransformer.encode (tok pool, projection), then normalise. */
    NDArray encode(NDArray pixels) {
        long n = pixels.getShape().get(0);
        int ps = c.patchSize();
        int g = (int) (pixels.getShape().get(2) / ps);
        long d = c.width();
        NDArray x;
        if (patchLinear) {
            // [N, 3, g, p, g, p] -> [N, g, g, 3, p, p] -> [N, g*g, 3*p*p] @ W^T
            NDArray patches = t("patch_embed", () -> pixels.reshape(n, 3, g, ps, g, ps).transpose(0, 2, 4, 1, 3, 5)
                    .reshape(n, (long) g * g, 3L * ps * ps));
            x = t("patch_embed", () -> linear(patches, patchMatrix, null));
        } else {
            NDArray conv = t("patch_embed", () -> ai.djl.nn.convolutional.Conv2d.conv2d(pixels, p.get("patch_embed.weight"),
                    null, new Shape(ps, ps)).singletonOrThrow());
            x = t("embed_reshape_cls_pos", () -> conv.reshape(n, d, (long) g * g).transpose(0, 2, 1));
        }
        NDArray x0 = x;
        x = t("embed_reshape_cls_pos", () -> p.get("cls_token").broadcast(n, 1, d).concat(x0, 1));
        NDArray x1 = x;
        x = t("embed_reshape_cls_pos", () -> x1.add(p.get("pos_embed")));
        NDArray x2 = x;
        x = t("layernorm", () -> layerNorm(x2, "ln_pre."));
        int heads = c.heads();
        long hd = d / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        long l = x.getShape().get(1);
        for (int i = 0; i < c.layers(); i++) {
            String b = block(i);
            NDArray xin = x;
            NDArray h1 = t("layernorm", () -> layerNorm(xin, b + "ln1."));
            int li = i;
            NDArray qkv = t("qkv_linear", () -> fold ? linear(h1, foldedQkvW.get(li), foldedQkvB.get(li))
                    : linear(h1, p.get(b + "attn.qkv.weight"), p.get(b + "attn.qkv.bias")));
            NDArray packed = t("attn_split_heads", () -> qkv.reshape(n, l, 3, heads, hd).transpose(2, 0, 3, 1, 4));
            NDArray q = t("attn_split_heads", () -> packed.get(0));
            NDArray k = t("attn_split_heads", () -> packed.get(1));
            NDArray v = t("attn_split_heads", () -> packed.get(2));
            NDArray qs = fold ? q : t("attn_q_scale", () -> q.mul(scale));
            NDArray scores = t("attn_qk_matmul", () -> qs.matMul(k.transpose(0, 1, 3, 2)));
            NDArray probs = t("attn_softmax", () -> scores.softmax(-1));
            NDArray ctx = t("attn_av_matmul", () -> probs.matMul(v));
            NDArray merged = t("attn_merge_heads", () -> ctx.transpose(0, 2, 1, 3).reshape(n, l, d));
            NDArray ao = t("attn_out_linear", () -> linear(merged, p.get(b + "attn.proj.weight"), p.get(b + "attn.proj.bias")));
            x = t("residual_add", () -> inplace ? xin.addi(ao) : xin.add(ao));
            NDArray xm = x;
            NDArray h2 = t("layernorm", () -> layerNorm(xm, b + "ln2."));
            boolean qg = qgFold && c.activation() == Activation.QUICK_GELU;
            NDArray f1 = t("mlp_fc1", () -> qg ? linear(h2, qgFolded.get(li)[0], qgFolded.get(li)[1])
                    : linear(h2, p.get(b + "mlp.fc1.weight"), p.get(b + "mlp.fc1.bias")));
            NDArray a;
            if (qg) { // f1 = 1.702 h: h * sigmoid(1.702 h) = f1 * sigmoid(f1) / 1.702, the 1/1.702 being in fc2
                NDArray s = t("activation", () -> ai.djl.nn.Activation.sigmoid(f1));
                a = t("activation", () -> s.muli(f1));
            } else if (c.activation() == Activation.QUICK_GELU) {
                NDArray s = t("activation", () -> ai.djl.nn.Activation.sigmoid(f1.mul(1.702f)));
                a = t("activation", () -> inplace ? s.muli(f1) : f1.mul(s));
            } else {
                a = t("activation", () -> c.activation().apply(f1));
            }
            NDArray f2 = t("mlp_fc2", () -> linear(a, qg ? qgFolded.get(li)[2] : p.get(b + "mlp.fc2.weight"),
                    p.get(b + "mlp.fc2.bias")));
            x = t("residual_add", () -> inplace ? xm.addi(f2) : xm.add(f2));
        }
        NDArray xl = x;
        NDArray post = t("layernorm", () -> layerNorm(xl, "ln_post."));
        NDArray pooled = t("pool_proj_normalize", () -> post.get(":, 0, :"));
        NDArray proj = t("pool_proj_normalize", () -> linear(pooled, p.get("proj.weight"), null));
        return t("pool_proj_normalize", () -> Clip.normalize(proj));
    }

    /** FLOPs of one batch by op group (multiply-add = 2). */
    private Map<String, Double> flops(long n) {
        long d = c.width();
        long l = c.tokens();
        long layers = c.layers();
        long p2 = 3L * c.patchSize() * c.patchSize();
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("patch_embed", 2.0 * n * (l - 1) * p2 * d);
        f.put("qkv_linear", 2.0 * n * l * d * 3 * d * layers);
        f.put("attn_qk_matmul", 2.0 * n * l * l * d * layers);
        f.put("attn_av_matmul", 2.0 * n * l * l * d * layers);
        f.put("attn_out_linear", 2.0 * n * l * d * d * layers);
        f.put("mlp_fc1", 2.0 * n * l * d * c.mlpHidden() * layers);
        f.put("mlp_fc2", 2.0 * n * l * d * c.mlpHidden() * layers);
        return f;
    }

    public static void main(String[] args) {
        String preset = args.length > 0 ? args[0] : "small";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        List<String> variants = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            variants.add(args[i]);
        }
        if (variants.isEmpty()) {
            variants.add("base");
        }
        try (Clip model = new Clip(ClipPresets.get(preset), null, 0)) {
            System.out.println("engine: " + Vlm4jEngine.init().summary());
            ImageEmbedProfile prof = new ImageEmbedProfile(model);
            int size = prof.c.imageSize();
            NDArray x = prof.manager.create(ImageEmbedBench.randomPixels(batch * 3 * size * size, 42),
                    new Shape(batch, 3, size, size));
            // Correctness: each variant against the model's own encode.
            for (String v : variants) {
                prof.set(v);
                try (NDScope s = new NDScope(); NoGrad g = new NoGrad()) {
                    float[] want = Clip.normalize(model.visual().encode(x)).toFloatArray();
                    float[] got = prof.encode(x).toFloatArray();
                    double max = 0;
                    for (int i = 0; i < want.length; i++) {
                        max = Math.max(max, Math.abs(want[i] - got[i]));
                    }
                    System.out.printf(Locale.ROOT, "variant %s: max |replica - visual.encode| = %.2e%n", v, max);
                    if (!(max < 1e-4)) {
                        throw new IllegalStateException("replica differs from visual.encode: " + max);
                    }
                }
            }
            Map<String, long[]> e2e = new LinkedHashMap<>();
            Map<String, long[]> e2eClocked = new LinkedHashMap<>();
            Map<String, double[]> e2eForeign = new LinkedHashMap<>();
            Map<String, double[]> clockedForeign = new LinkedHashMap<>();
            // variant -> op group -> nanoseconds of that group in each clocked pass (medians over passes are reported:
            // robust to the passes that other processes disturbed)
            Map<String, Map<String, long[]>> clocks = new LinkedHashMap<>();
            for (String v : variants) {
                e2e.put(v, new long[iterations]);
                e2eClocked.put(v, new long[iterations]);
                e2eForeign.put(v, new double[iterations]);
                clockedForeign.put(v, new double[iterations]);
                clocks.put(v, new LinkedHashMap<>());
            }
            Runnable modelStep = () -> {
                try (NDScope s = new NDScope(); NoGrad g = new NoGrad()) {
                    Clip.normalize(model.visual().encode(x));
                }
            };
            for (int w = 0; w < warmup; w++) {
                for (String v : variants) {
                    prof.set(v);
                    prof.step(x, false);
                }
                modelStep.run();
            }
            long[] modelTimes = new long[iterations];
            double[] modelForeign = new double[iterations];
            for (int it = 0; it < iterations; it++) { // interleaved: each variant once per round, clocked and not
                for (String v : variants) {
                    prof.set(v);
                    prof.clock.clear();
                    e2eClocked.get(v)[it] = prof.step(x, true);
                    clockedForeign.get(v)[it] = prof.lastForeign;
                    for (Map.Entry<String, long[]> e : prof.clock.entrySet()) {
                        clocks.get(v).computeIfAbsent(e.getKey(), k -> new long[iterations])[it] = e.getValue()[0];
                    }
                    e2e.get(v)[it] = prof.step(x, false);
                    e2eForeign.get(v)[it] = prof.lastForeign;
                }
                prof.monitor.start();
                long t0 = System.nanoTime();
                modelStep.run();
                modelTimes[it] = System.nanoTime() - t0;
                modelForeign[it] = prof.monitor.foreign();
            }
            double modelMed = cleanMedian(modelTimes, modelForeign) / 1e6;
            long cleanPasses = java.util.Arrays.stream(modelForeign).filter(f -> f <= FOREIGN_MAX).count();
            System.out.printf(Locale.ROOT, "%s batch %d: visual.encode+normalize median %.1f ms/batch over %d iterations"
                    + " (%d clean: other processes used <= %.0f%% of the machine; medians below are over clean passes)%n",
                    preset, batch, modelMed, iterations, cleanPasses, 100 * FOREIGN_MAX);
            Map<String, Double> flops = prof.flops(batch);
            for (String v : variants) {
                double med = cleanMedian(e2e.get(v), e2eForeign.get(v)) / 1e6;
                System.out.printf(Locale.ROOT, "%n## variant %s: end to end (no clocks) median %.1f ms/batch (%.3fx the model's"
                        + " encode in the same rounds)%n", v, med, modelMed / med);
                Map<String, Double> opMs = new LinkedHashMap<>();
                double total = 0;
                for (Map.Entry<String, long[]> e : clocks.get(v).entrySet()) {
                    double ms = cleanMedian(e.getValue(), clockedForeign.get(v)) / 1e6;
                    opMs.put(e.getKey(), ms);
                    total += ms;
                }
                System.out.println("| op group | ms/batch (median of passes) | share | GFLOP/s |");
                System.out.println("|---|---:|---:|---:|");
                for (Map.Entry<String, Double> e : opMs.entrySet()) {
                    double ms = e.getValue();
                    Double f = flops.get(e.getKey());
                    System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f%% | %s |%n", e.getKey(), ms, 100.0 * ms / total,
                            f == null ? "" : String.format(Locale.ROOT, "%.0f", f / (ms / 1e3) / 1e9));
                }
                double gemmMs = 0;
                double gemmFlops = 0;
                for (Map.Entry<String, Double> f : flops.entrySet()) {
                    Double ms = opMs.get(f.getKey());
                    if (ms != null) {
                        gemmMs += ms;
                        gemmFlops += f.getValue();
                    }
                }
                System.out.printf(Locale.ROOT, "| (wall time of the clocked passes, median) | %.2f | | |%n",
                        cleanMedian(e2eClocked.get(v), clockedForeign.get(v)) / 1e6);
                System.out.printf(Locale.ROOT, "| **sum of the op medians** | %.2f | 100%% | GEMM-type ops: %.2f ms = %.1f%%, %.0f GFLOP/s |%n",
                        total, gemmMs, 100 * gemmMs / total, gemmFlops / (gemmMs / 1e3) / 1e9);
            }
        }
    }

    private void set(String v) {
        fold = v.equals("fold") || v.equals("all");
        inplace = v.equals("inplace") || v.equals("all");
        patchLinear = v.equals("patchlinear") || v.equals("all");
        qgFold = v.equals("qgfold") || v.equals("all");
        if (!List.of("base", "fold", "inplace", "patchlinear", "qgfold", "all").contains(v)) {
            throw new IllegalArgumentException("unknown variant " + v);
        }
    }

    private final LoadMonitor monitor = new LoadMonitor();
    /** The share of the machine other processes used during the last {@link #step}. */
    private double lastForeign;

    /** One batch in its own scope; returns its nanoseconds (and sets {@link #lastForeign}). */
    private long step(NDArray x, boolean clocked) {
        timing = clocked;
        monitor.start();
        long t0 = System.nanoTime();
        try (NDScope s = new NDScope(); NoGrad g = new NoGrad()) {
            encode(x);
        }
        long dt = System.nanoTime() - t0;
        lastForeign = monitor.foreign();
        timing = false;
        return dt;
    }

    /** The median of the values whose pass was clean (other processes used at most 10% of the machine), or of all
     * values if fewer than 3 were. */
    private static double cleanMedian(long[] values, double[] foreign) {
        long[] clean = java.util.stream.IntStream.range(0, values.length).filter(i -> foreign[i] <= FOREIGN_MAX)
                .mapToLong(i -> values[i]).toArray();
        return ImageEmbedBench.medianNanos(clean.length >= 3 ? clean : values);
    }

    private static final double FOREIGN_MAX = Double.parseDouble(System.getProperty("bench.foreignMax", "0.10"));
}
