package org.vlm4j.model.backbone;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import org.vlm4j.loss.NextToken;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.Param;
import org.vlm4j.nn.TextConfig;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.AdamW;
import org.vlm4j.train.LrSchedule;

/**
 * What a tiny bridge on Shapes needs besides the bridge: the towers' text (real text for the language model:
 * WordNet noun glosses from Debian's {@code wordnet-base}, plus the training captions and reading-comprehension lines),
 * the language model's pretraining, the stage-1+2 training table (captions and questions), the test-size CLIP whose
 * vision tower the bridges freeze, and the caption scoring (first colour and shape word). Shared by the bridge tests'
 * fixtures and the {@code projection-only} experiment.
 */
public final class BridgeCorpus {
    /** Where Debian's wordnet-base keeps the noun glosses. */
    public static final Path WORDNET_NOUNS = Path.of("/usr/share/wordnet/data.noun");

    private BridgeCorpus() {}

    /** Train captions and train questions in one table (image, text, question, answers): stage 1 and 2 data. */
    public static Path mixTable(Path data) throws IOException {
        List<String> out = new ArrayList<>();
        out.add("image\ttext\tquestion\tanswers");
        List<String> caps = Files.readAllLines(data.resolve("train.tsv"), StandardCharsets.UTF_8);
        for (String line : caps.subList(1, caps.size())) {
            String[] c = line.split("\t", -1);
            out.add(c[0] + "\t" + c[1] + "\t\t");
        }
        List<String> qs = Files.readAllLines(data.resolve("questions.tsv"), StandardCharsets.UTF_8);
        for (String line : qs.subList(1, qs.size())) {
            String[] c = line.split("\t", -1); // image question answers kind text
            out.add(c[0] + "\t" + c[4] + "\t" + c[1] + "\t" + c[2]);
        }
        Path mix = data.resolve("mix.tsv");
        Files.write(mix, out, StandardCharsets.UTF_8);
        return mix;
    }

    /** WordNet glosses, then the training captions and question prompts with answers, as lines of text. */
    public static List<String> corpus(Path data, int glosses) throws IOException {
        if (!Files.isRegularFile(WORDNET_NOUNS)) {
            throw new IOException(WORDNET_NOUNS + " not found: the language model pretrains on WordNet glosses"
                    + " (install the Debian package wordnet-base)");
        }
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(WORDNET_NOUNS, StandardCharsets.ISO_8859_1)) {
            int bar = line.indexOf(" | ");
            if (line.startsWith("  ") || bar < 0) {
                continue;
            }
            String gloss = line.substring(bar + 3).split(";")[0].strip();
            if (!gloss.isEmpty()) {
                out.add(gloss);
            }
            if (out.size() == glosses) {
                break;
            }
        }
        List<String> caps = Files.readAllLines(data.resolve("train.tsv"), StandardCharsets.UTF_8);
        for (String line : caps.subList(1, caps.size())) {
            out.add(line.split("\t", -1)[1]);
        }
        // reading comprehension as text: a scene's caption, then a question about it and the answer, so that the LM
        // learns to read attributes from its context (what a bridge's soft prompt then supplies)
        Map<String, String> captionOf = new java.util.HashMap<>();
        for (String line : caps.subList(1, caps.size())) {
            String[] c = line.split("\t", -1);
            captionOf.put(c[0], c[1]);
        }
        List<String> qs = Files.readAllLines(data.resolve("questions.tsv"), StandardCharsets.UTF_8);
        for (String line : qs.subList(1, qs.size())) {
            String[] c = line.split("\t", -1);
            out.add(captionOf.get(c[0]) + " " + Bridges.QUESTION_TEMPLATE.replace("{question}", c[1]) + " "
                    + c[2].split("\\|")[0]);
        }
        return out;
    }

    /**
     * The test-size CLIP whose vision tower the tiny bridges use ({@link Bridges#tinyVision()}, 32 px) with a text
     * tower of 2 layers of width 64, context 20.
     */
    public static ClipConfig towerConfig(int vocabSize) {
        TextConfig t = new TextConfig(vocabSize, 20, 64, 2, 2, 256, Activation.GELU, 1e-5f, true, "argmax", 64,
                false, false, 0f);
        return new ClipConfig(Clip.FAMILY, 64, Bridges.tinyVision(), t, (float) Math.log(1 / 0.07), null,
                PreprocessConfig.openaiClip(32));
    }

    /**
     * Causal-LM pretraining as usual for LMs: the corpus as one stream of [sot] line [eot], cut into rows of the
     * context length at random offsets, so that every position is trained (LanguageModel's own training step puts each
     * short text at position 0, which leaves the positions after a bridge's soft prompt untrained); next-token
     * cross-entropy, AdamW. Returns the mean loss of the first and last 10 steps (fewer when there are fewer steps).
     */
    public static double[] pretrainLm(LanguageModel model, Tokenizer tok, List<String> corpus, int steps, long seed) {
        TextDecoder lm = model.decoder();
        NDManager manager = model.manager();
        List<Integer> stream = new ArrayList<>();
        for (String line : corpus) {
            stream.add(tok.sotId());
            for (int id : tok.encode(line)) {
                stream.add(id);
            }
            stream.add(tok.eotId());
        }
        int len = lm.config().contextLength();
        int batch = 16;
        Map<String, Param> params = lm.namedParams();
        params.values().forEach(p -> p.array().setRequiresGradient(true));
        AdamW opt = new AdamW(manager, 0.9f, 0.98f, 1e-6f, 0.01f,
                n -> AdamW.defaultDecays(n, params.get(n).array().getShape().dimension()));
        LrSchedule lr = new LrSchedule(3e-3f, Math.min(20, Math.max(1, steps / 10)), steps);
        SplittableRandom rng = new SplittableRandom(seed);
        int k = Math.min(10, steps);
        double first = 0;
        double last = 0;
        for (int s = 0; s < steps; s++) {
            long[] in = new long[batch * len];
            long[] tgt = new long[batch * len];
            for (int b = 0; b < batch; b++) {
                int off = rng.nextInt(stream.size() - len - 1);
                for (int j = 0; j < len; j++) {
                    in[b * len + j] = stream.get(off + j);
                    tgt[b * len + j] = stream.get(off + j + 1);
                }
            }
            float loss;
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = lm.logits(m.create(in, new Shape(batch, len)), null, null);
                    NDArray l = NextToken.loss(logits, m.create(tgt, new Shape(batch, len)), -1);
                    loss = l.getFloat();
                    gc.backward(l);
                }
            }
            org.vlm4j.train.GradientClipping.clip(params.values(), 1.0);
            opt.update(params, lr.at(s));
            params.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p.array()));
            if (s < k) {
                first += loss / k;
            }
            if (s >= steps - k) {
                last += loss / k;
            }
        }
        params.values().forEach(p -> p.array().setRequiresGradient(false));
        return new double[] {first, last};
    }

    /**
     * What a blind model gets right, knowing the training text but not the image: the commonest answer of each
     * training question applied to the val colour questions, and the commonest colour+shape of the training captions
     * applied to the val captions. Returns {colour VQA, captions}.
     */
    public static double[] blindBaselines(Path data) throws IOException {
        Map<String, Map<String, Integer>> answers = new java.util.HashMap<>();
        List<String> qs = Files.readAllLines(data.resolve("questions.tsv"), StandardCharsets.UTF_8);
        for (String l : qs.subList(1, qs.size())) {
            String[] c = l.split("\t", -1);
            answers.computeIfAbsent(c[1], x -> new java.util.HashMap<>()).merge(c[2].split("\\|")[0], 1, Integer::sum);
        }
        int right = 0;
        int n = 0;
        List<String> vq = Files.readAllLines(data.resolve("val_questions.tsv"), StandardCharsets.UTF_8);
        for (String l : vq.subList(1, vq.size())) {
            String[] c = l.split("\t", -1);
            if (c[3].equals("colour")) {
                n++;
                Map<String, Integer> a = answers.getOrDefault(c[1], Map.of());
                String best = a.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                        .orElse("");
                right += best.equals(c[2]) ? 1 : 0;
            }
        }
        Map<String, Integer> pairs = new java.util.HashMap<>();
        List<String> tr = Files.readAllLines(data.resolve("train.tsv"), StandardCharsets.UTF_8);
        for (String l : tr.subList(1, tr.size())) {
            pairs.merge(colourShape(l.split("\t", -1)[1]), 1, Integer::sum);
        }
        String common = pairs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        int capRight = 0;
        List<String> va = Files.readAllLines(data.resolve("val.tsv"), StandardCharsets.UTF_8);
        for (String l : va.subList(1, va.size())) {
            capRight += colourShape(l.split("\t", -1)[1]).equals(common) ? 1 : 0;
        }
        return new double[] {n == 0 ? Double.NaN : right / (double) n, capRight / (double) (va.size() - 1)};
    }

    /** The first colour word and the first shape word of a text ("a large red circle left of ..." -> red circle). */
    public static String colourShape(String caption) {
        String colour = null;
        String shape = null;
        for (String w : caption.split("\\s+")) {
            if (colour == null && Shapes.COLORS.contains(w)) {
                colour = w;
            }
            if (shape == null && Shapes.SHAPES.contains(w)) {
                shape = w;
            }
        }
        return colour + " " + shape;
    }
}
