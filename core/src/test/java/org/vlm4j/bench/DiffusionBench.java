package org.vlm4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.DominantColor;
import org.vlm4j.eval.Winoground;
import org.vlm4j.eval.WinogroundPair;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.generative.diffusion.DiffusionClassifier;
import org.vlm4j.model.generative.diffusion.DiffusionConfig;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.model.generative.diffusion.SamplingConfig;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.train.StepMetrics;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.Trainer;

/**
 * diffusion-tiny on single-shape Shapes scenes (16 px, 4 colours x 3 shapes; DiffusionEndToEndTest's recipe, T = 200)
 * and what it then does: for "a C circle" of every colour C, the share of {@code samples} images whose dominant colour
 * ({@link DominantColor}) is C, by DDIM-50 at guidance 1 and 3 and DDPM-200 at guidance 3; the diffusion classifier
 * over the 12 "a C S" captions on the first {@code n} single-shape val images (right = the caption's colour and
 * shape), exhaustive vs adaptive elimination on the same noise, with evaluations per image and seconds; and
 * Winoground scores on the Shapes pairs. Prints one JSON line (and writes it to {@code out}). Not a test.
 *
 * <pre>
 * mvn -B -q -pl core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.vlm4j.bench.DiffusionBench \
 *   -Dexec.arguments=steps=1000,n=48,samples=48,out=bench/results/generative/diffusion-shapes-summary.json
 * </pre>
 */
public final class DiffusionBench {
    private DiffusionBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : String.join(",", args).split(",")) {
            if (arg.contains("=")) {
                a.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
        }
        int steps = Integer.parseInt(a.getOrDefault("steps", "1000"));
        int n = Integer.parseInt(a.getOrDefault("n", "48"));
        int samples = Integer.parseInt(a.getOrDefault("samples", "48"));
        String rounds = a.getOrDefault("rounds", "10:6,25:3,50:2,100:1");
        Path tmp = Files.createTempDirectory("diffusion-bench");
        Path data = tmp.resolve("shapes");
        Shapes.Config shapes = Shapes.Config.of(1000, 21).withSize(16).withVocabulary(4, 3).withWinogroundPairs(40);
        Shapes.generate(data, shapes);
        Path single = singleShape(data, "train");
        Path val = singleShape(data, "val");
        ClipBpeTokenizer tok = BpeTrainer.of(540).trainFiles(List.of(data.resolve("train.tsv"))).tokenizer();
        Map<String, Object> r = new LinkedHashMap<>();
        try (DiffusionModel model = DiffusionModel.create(DiffusionConfig.tiny(tok.vocabSize()).withTimesteps(200),
                tok, 3)) {
            TrainOptions o = new TrainOptions(steps, 32, 3e-3f, 0f, 20, 1f, 1, steps, 1, 3, 5, 4)
                    .withCaptionMix(CaptionMix.parse("short:0.5"));
            long t0 = System.nanoTime();
            Trainer.Result run = new Trainer(o, null).fit(model, ImageTextDataset.open(single.toString()),
                    tmp.resolve("run"), false);
            r.put("train_seconds", (System.nanoTime() - t0) / 1e9);
            r.put("loss_first10", run.history().subList(0, 10).stream().mapToDouble(StepMetrics::loss).average()
                    .orElseThrow());
            r.put("loss_last50", run.history().subList(steps - 50, steps).stream().mapToDouble(StepMetrics::loss)
                    .average().orElseThrow());
            Map<String, Object> colours = new LinkedHashMap<>();
            for (String c : Shapes.COLORS.subList(0, 4)) {
                List<String> prompts = Collections.nCopies(samples, "a " + c + " circle");
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("ddim50_w1", DominantColor.accuracy(model.sample(prompts, SamplingConfig.ddim(50, 1f, 7)), 16, c, 4));
                m.put("ddim50_w3", DominantColor.accuracy(model.sample(prompts, SamplingConfig.ddim(50, 3f, 7)), 16, c, 4));
                m.put("ddpm200_w3", DominantColor.accuracy(model.sample(prompts, SamplingConfig.ddpm(3f, 7)), 16, c, 4));
                colours.put("a " + c + " circle", m);
            }
            r.put("colour_accuracy", colours);

            List<String> lines = Files.readAllLines(val);
            List<Path> files = new ArrayList<>();
            List<String> truth = new ArrayList<>();
            for (String l : lines.subList(1, Math.min(lines.size(), n + 1))) {
                String[] f = l.split("\t");
                files.add(data.resolve(f[0]));
                truth.add("a " + f[2] + " " + f[3]);
            }
            List<String> classes = new ArrayList<>();
            for (String c : Shapes.COLORS.subList(0, 4)) {
                for (String s : Shapes.SHAPES.subList(0, 3)) {
                    classes.add("a " + c + " " + s);
                }
            }
            float[] x = new ImagePreprocessor(model.config().preprocess()).preprocessBatch(files, 1);
            DiffusionClassifier.Rounds adaptive = DiffusionClassifier.Rounds.parse(rounds, 0);
            Map<String, Object> cls = new LinkedHashMap<>();
            cls.put("images", files.size());
            cls.put("classes", classes.size());
            cls.put("rounds", rounds);
            int[] top = null;
            for (DiffusionClassifier.Rounds rr : List.of(adaptive.withoutElimination(), adaptive)) {
                long c0 = System.nanoTime();
                DiffusionClassifier.Result res = new DiffusionClassifier(model, rr).classify(x, files.size(), 16, 16,
                        classes);
                String key = rr == adaptive ? "adaptive" : "exhaustive";
                int right = 0;
                int colourRight = 0;
                for (int i = 0; i < files.size(); i++) {
                    String p = classes.get(res.top1()[i]);
                    right += p.equals(truth.get(i)) ? 1 : 0;
                    colourRight += p.split(" ")[1].equals(truth.get(i).split(" ")[1]) ? 1 : 0;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("top1", right / (double) files.size());
                m.put("colour_top1", colourRight / (double) files.size());
                m.put("evaluations_per_image", res.evaluationsPerImage());
                m.put("seconds", (System.nanoTime() - c0) / 1e9);
                if (top != null) {
                    int same = 0;
                    for (int i = 0; i < top.length; i++) {
                        same += top[i] == res.top1()[i] ? 1 : 0;
                    }
                    m.put("same_top1_as_exhaustive", same / (double) top.length);
                }
                top = res.top1();
                cls.put(key, m);
            }
            r.put("classifier", cls);
            List<WinogroundPair> pairs = Winoground.read(data.resolve("winoground.tsv"));
            r.put("winoground", Winoground.result(pairs, Winoground.scorerScores(model, pairs), "score").toJson());
        }
        String json = new ObjectMapper().writeValueAsString(r);
        System.out.println(json);
        if (a.containsKey("out")) {
            Files.createDirectories(Path.of(a.get("out")).toAbsolutePath().getParent());
            Files.writeString(Path.of(a.get("out")), json + "\n");
        }
    }

    /** The split's rows with one shape per picture, as a new table beside it. */
    static Path singleShape(Path data, String split) throws Exception {
        List<String> lines = Files.readAllLines(data.resolve(split + ".tsv"));
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            if (l.split("\t")[5].equals("1")) {
                out.add(l);
            }
        }
        Path p = data.resolve(split + "-single.tsv");
        Files.write(p, out);
        return p;
    }
}
