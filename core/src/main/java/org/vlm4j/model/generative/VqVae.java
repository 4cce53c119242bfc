package org.vlm4j.model.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTokenizer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.Init;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.nn.Scalars;
import org.vlm4j.nn.VectorQuantizer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.Pretrainable;

/**
 * VQ-VAE (van den Oord et al. 2017): a convolutional encoder, the vector quantiser ({@link VectorQuantizer}) and a
 * convolutional decoder; an image becomes a grid of discrete codes and back. Trained on images alone (captions are
 * ignored, so it has no text tokenizer) with loss = reconstruction (L2 or L1 on normalised pixels) + codebook loss
 * (gradient codebook only) + beta * commitment (+ an optional {@link AuxiliaryImageLoss}). With the EMA codebook the
 * moving averages and dead-code restarts are applied during {@link #forwardBackward}, after each micro-batch's
 * backward pass (as the PyTorch references do in their training forward). Parameter names: {@code encoder.*},
 * {@code quantizer.*}, {@code decoder.*}.
 */
public final class VqVae extends Module implements VlmModel, Pretrainable, ImageTokenizer {
    public static final String FAMILY = "vqvae";
    /** Images per forward pass in the inference methods, bounding activation memory. */
    private static final int INFERENCE_BATCH = 64;

    private final VqVaeConfig config;
    private final NDManager manager;
    private final VqEncoder encoder;
    private final VectorQuantizer quantizer;
    private final VqDecoder decoder;
    private final ImagePreprocessor preprocessor;
    private String auxName;
    private AuxiliaryImageLoss aux;
    private float auxWeight;
    private Map<String, Double> lastMetrics = Map.of();

    public VqVae(VqVaeConfig config, long seed) {
        this.config = config;
        Vlm4jEngine.init(); // the shim and malloc tuning must precede libtorch's loading
        this.manager = NDManager.newBaseManager();
        Init init = new Init(manager, seed);
        this.encoder = child("encoder", new VqEncoder(init, config));
        this.quantizer = child("quantizer", new VectorQuantizer(init, config.codebookSize(), config.codeDim(),
                config.beta(), config.emaDecay()));
        this.decoder = child("decoder", new VqDecoder(init, config));
        this.preprocessor = new ImagePreprocessor(config.preprocess());
    }

    /** The {@code Families} factory: a VQ-VAE reads no text, so any tokenizer is ignored. */
    public static VqVae create(VqVaeConfig config, Tokenizer ignored, long seed) {
        return new VqVae(config, seed);
    }

    /**
     * Adds {@code weight * loss(reconstruction, target)} to the training loss, reported as {@code name} (the
     * perceptual/adversarial extension point; not saved with the model). Null removes it.
     */
    public void setAuxiliaryLoss(String name, AuxiliaryImageLoss loss, float weight) {
        if (loss != null && (name == null || name.isBlank() || !(weight >= 0))) {
            throw new IllegalArgumentException("an auxiliary loss needs a name and a weight >= 0");
        }
        this.auxName = name;
        this.aux = loss;
        this.auxWeight = weight;
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public VqVaeConfig config() {
        return config;
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public Tokenizer tokenizer() {
        return null;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    public VectorQuantizer quantizer() {
        return quantizer;
    }

    @Override
    public int codebookSize() {
        return config.codebookSize();
    }

    @Override
    public int gridHeight() {
        return config.gridSize();
    }

    @Override
    public int gridWidth() {
        return config.gridSize();
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    /** Normalised pixels [N, 3, S, S] -> encoder outputs, channels last [N, g, g, code_dim]. */
    public NDArray latents(NDArray pixels) {
        return encoder.forward(pixels).transpose(0, 2, 3, 1);
    }

    /** Codes [N, g, g] (int64) -> normalised pixels [N, 3, S, S]. */
    public NDArray decode(NDArray codes) {
        return decoder.forward(quantizer.decode(codes).transpose(0, 3, 1, 2));
    }

    @Override
    public int[][] tokenize(float[] pixels, int n, int height, int width) {
        int s = config.imageSize();
        if (height != s || width != s) {
            throw new IllegalArgumentException("this VQ-VAE takes " + s + "x" + s + " images, got " + height + "x" + width);
        }
        long per = 3L * s * s;
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " pixel values for " + n + " images of 3x" + s
                    + "x" + s + ", got " + pixels.length);
        }
        int cells = gridHeight() * gridWidth();
        int[][] out = new int[n][];
        for (int start = 0; start < n; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, n - start);
            float[] chunk = Arrays.copyOfRange(pixels, (int) (start * per), (int) ((start + b) * per));
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                long[] ids = quantizer.encode(latents(m.create(chunk, new Shape(b, 3, s, s)))).toLongArray();
                for (int i = 0; i < b; i++) {
                    int[] row = new int[cells];
                    for (int j = 0; j < cells; j++) {
                        row[j] = (int) ids[i * cells + j];
                    }
                    out[start + i] = row;
                }
            }
        }
        return out;
    }

    @Override
    public float[][] detokenize(int[][] codes) {
        int cells = gridHeight() * gridWidth();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == null || codes[i].length != cells) {
                throw new IllegalArgumentException("image " + i + ": expected " + cells + " codes (" + gridHeight() + "x"
                        + gridWidth() + "), got " + (codes[i] == null ? 0 : codes[i].length));
            }
            for (int j = 0; j < cells; j++) {
                if (codes[i][j] < 0 || codes[i][j] >= codebookSize()) {
                    throw new IllegalArgumentException("image " + i + ", code " + j + ": " + codes[i][j]
                            + " is outside the codebook [0, " + codebookSize() + ")");
                }
            }
        }
        int s = config.imageSize();
        int plane = s * s;
        float[] mean = config.preprocess().mean();
        float[] std = config.preprocess().std();
        float[][] out = new float[codes.length][];
        for (int start = 0; start < codes.length; start += INFERENCE_BATCH) {
            int b = Math.min(INFERENCE_BATCH, codes.length - start);
            long[] flat = new long[b * cells];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < cells; j++) {
                    flat[i * cells + j] = codes[start + i][j];
                }
            }
            float[] px;
            try (NDScope scope = new NDScope(); NoGrad g = new NoGrad(); NDManager m = manager.newSubManager()) {
                px = decode(m.create(flat, new Shape(b, gridHeight(), gridWidth()))).toFloatArray();
            }
            for (int i = 0; i < b; i++) {
                float[] img = new float[3 * plane];
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < plane; p++) {
                        float v = px[(i * 3 + c) * plane + p] * std[c] + mean[c];
                        img[c * plane + p] = Math.max(0f, Math.min(1f, v));
                    }
                }
                out[start + i] = img;
            }
        }
        return out;
    }

    /**
     * One step: per micro-batch, forward, backward of its loss (divided by the number of micro-batches, so the
     * accumulated gradient is that of the mean), then the EMA codebook update and dead-code restarts. Loss terms
     * are means over the micro-batches; {@link #stepMetrics()} gives the codebook perplexity and usage of the step.
     */
    @Override
    public Map<String, Float> forwardBackward(List<Batch> micro, GradientCollector gc, NDManager m) {
        int k = micro.size();
        Map<String, Float> terms = new LinkedHashMap<>();
        long[] counts = new long[codebookSize()];
        int restarted = 0;
        for (Batch b : micro) {
            int s = config.imageSize();
            if (b.height() != s || b.width() != s) {
                throw new IllegalArgumentException("batch of " + b.height() + "x" + b.width() + " images for a VQ-VAE of "
                        + s + "x" + s);
            }
            NDArray x = m.create(b.pixels(), new Shape(b.size(), 3, s, s));
            NDArray z = latents(x);
            VectorQuantizer.Result r = quantizer.forward(z);
            NDArray xr = decoder.forward(r.quantized().transpose(0, 3, 1, 2));
            NDArray diff = xr.sub(x);
            NDArray recon = config.reconstruction().equals(VqVaeConfig.L1) ? diff.abs().mean() : diff.mul(diff).mean();
            Map<String, NDArray> parts = new LinkedHashMap<>();
            parts.put("reconstruction_loss", recon);
            if (!quantizer.ema()) {
                parts.put("codebook_loss", r.codebookLoss());
            }
            parts.put("commitment_loss", r.commitmentLoss());
            if (aux != null) {
                parts.put(auxName, Scalars.mul(aux.loss(xr, x), auxWeight));
            }
            NDArray loss = null;
            for (Map.Entry<String, NDArray> e : parts.entrySet()) {
                loss = loss == null ? e.getValue() : loss.add(e.getValue());
                terms.merge(e.getKey(), e.getValue().getFloat() / k, Float::sum);
            }
            gc.backward(k == 1 ? loss : Scalars.mul(loss, 1f / k));
            long[] ids = r.codes().toLongArray();
            for (long id : ids) {
                counts[(int) id]++;
            }
            if (quantizer.ema()) {
                quantizer.emaUpdate(z, r.codes());
                if (config.deadCodeThreshold() > 0) {
                    // seeded by the batch's codes, so a resumed run restarts the same codes the same way
                    restarted += quantizer.restartDeadCodes(z, config.deadCodeThreshold(), Arrays.hashCode(ids));
                }
            }
        }
        long used = Arrays.stream(counts).filter(c -> c > 0).count();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("perplexity", VectorQuantizer.perplexity(counts));
        metrics.put("codebook_usage", (double) used / codebookSize());
        if (quantizer.ema() && config.deadCodeThreshold() > 0) {
            metrics.put("dead_code_restarts", (double) restarted);
        }
        lastMetrics = metrics;
        return terms;
    }

    @Override
    public Map<String, Double> stepMetrics() {
        return lastMetrics;
    }

    @Override
    public void close() {
        manager.close();
    }
}
