package org.vlm4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.nn.Param;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * The Java half of {@code bench/gradient-parity.sh}: a freshly initialised clip-tiny without the conv stem (the
 * plain PyTorch replica has none), one batch of a Shapes table, one forward + backward. Writes the model directory,
 * the batch's preprocessed pixels (float32 little-endian [N,3,H,W]) and token ids (int64 [N,L]), and a JSON with the
 * loss and every parameter's gradient L2 norm. Not a test.
 *
 * <p>Arguments: TSV, output folder, batch size.
 */
public final class GradientDump {
    public static void main(String[] args) throws Exception {
        Vlm4jEngine.init();
        Path out = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        Files.createDirectories(out);
        ClipBpeTokenizer tok = BpeTrainer.of(1000).trainFiles(List.of(Path.of(args[0]))).tokenizer();
        ClipConfig c = ClipPresets.get("clip-tiny", tok.vocabSize());
        c = new ClipConfig(c.family(), c.embedDim(), c.vision().withConvStem(List.of()), c.text(), c.logitScaleInit(),
                c.logitBiasInit(), c.preprocess());
        try (Clip clip = new Clip(c, tok, 0);
             BatchLoader loader = new BatchLoader(ImageTextDataset.open(args[0]), clip.preprocessor(),
                     BatchLoader.Options.sequential(n))) {
            ModelDir.save(clip, out.resolve("model"));
            Batch b = loader.next();
            write(out.resolve("pixels.f32"), b.pixels());
            long[][] ids = tok.tokenize(b.captions(), c.text().contextLength());
            ByteBuffer bb = ByteBuffer.allocate(8 * ids.length * ids[0].length).order(ByteOrder.LITTLE_ENDIAN);
            for (long[] row : ids) {
                for (long v : row) {
                    bb.putLong(v);
                }
            }
            Files.write(out.resolve("ids.i64"), bb.array());
            Map<String, Param> params = clip.module().namedParams();
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            Map<String, Object> r = new LinkedHashMap<>();
            NDManager base = params.values().iterator().next().array().getManager();
            try (NDManager m = base.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                r.put("loss", clip.forwardBackward(List.of(b), gc, m).get("contrastive_loss"));
            }
            Map<String, Double> norms = new LinkedHashMap<>();
            for (Map.Entry<String, Param> e : params.entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                norms.put(e.getKey(), Math.sqrt(g.mul(g).sum().getFloat()));
            }
            r.put("batch", b.size());
            r.put("image_size", b.height());
            r.put("context", c.text().contextLength());
            r.put("grad_norms", norms);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("java.json").toFile(), r);
        }
    }

    static void write(Path file, float[] values) throws java.io.IOException {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bb.putFloat(v);
        }
        Files.write(file, bb.array());
    }
}
