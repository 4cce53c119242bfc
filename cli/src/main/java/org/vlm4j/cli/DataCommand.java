package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.Batch;
import org.vlm4j.data.BatchLoader;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.IdxImport;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImagePreprocessor.PreprocessConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vlm4j data}: datasets — generate the synthetic Shapes set, import IDX (MNIST-family) files, check a spec. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Datasets: generate synthetic Shapes data, import MNIST-family IDX files, check a data spec.",
        subcommands = {DataCommand.ShapesCommand.class, DataCommand.CheckCommand.class, DataCommand.IdxCommand.class})
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "shapes", mixinStandardHelpOptions = true,
            description = {"Generate Shapes: coloured shapes with compositional captions, split into train, val and "
                    + "heldout (colour-shape pairs never seen in training), plus Winoground pairs and the class list.",
                "Writes DIR/train.tsv, val.tsv, heldout.tsv and images/ (or train-NNNN.tar ... with --format tar), "
                    + "winoground.tsv, classes.txt, heldout_classes.txt and shapes.json."})
    static final class ShapesCommand implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Option(names = "--count", required = true, paramLabel = "N",
                description = "scenes in all (80%% train, 10%% val, the rest heldout)")
        int count;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--size", defaultValue = "64", paramLabel = "PX",
                description = "image side in pixels (default: ${DEFAULT-VALUE})")
        int size;

        @Option(names = "--format", defaultValue = "tsv", paramLabel = "tsv|tar",
                description = "tsv: PNG files and tables; tar: WebDataset shards (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--shard-size", defaultValue = "1000", paramLabel = "N",
                description = "scenes per tar shard (default: ${DEFAULT-VALUE})")
        int shardSize;

        @Option(names = "--winoground", defaultValue = "-1", paramLabel = "N",
                description = "Winoground pairs (default: count/10, at least 1)")
        int winoground;

        @Option(names = "--colors", defaultValue = "8", paramLabel = "N",
                description = "use the first N of red, green, blue, yellow, purple, orange, white, cyan "
                        + "(default: ${DEFAULT-VALUE})")
        int colors;

        @Option(names = "--shapes", defaultValue = "6", paramLabel = "N",
                description = "use the first N of circle, square, triangle, star, cross, diamond "
                        + "(default: ${DEFAULT-VALUE})")
        int shapes;

        @Option(names = "--style", defaultValue = "filled", paramLabel = "filled|outline",
                description = "how shapes are drawn: filled, or outline (the same scenes stroked, not filled: a style"
                        + " shift for robustness tests) (default: ${DEFAULT-VALUE})")
        String style;

        @Mixin
        JsonOption json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Shapes.Format f = switch (format.toLowerCase(Locale.ROOT)) {
                case "tsv" -> Shapes.Format.TSV;
                case "tar" -> Shapes.Format.TAR;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--format must be tsv or tar, got '" + format + "'");
            };
            Shapes.Config cfg;
            try {
                cfg = new Shapes.Config(count, seed, size, f, colors, shapes, shardSize, winoground)
                        .withStyle(Shapes.Style.of(style));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            long t0 = System.nanoTime();
            Shapes.Summary s = Shapes.generate(out, cfg);
            double secs = (System.nanoTime() - t0) / 1e9;
            int images = count + 2 * s.winoground();
            PrintWriter o = spec.commandLine().getOut();
            if (json.json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("out", out.toString());
                r.put("train", s.train());
                r.put("val", s.val());
                r.put("heldout", s.heldout());
                r.put("winoground", s.winoground());
                r.put("format", f.name().toLowerCase(Locale.ROOT));
                r.put("size", size);
                r.put("seed", seed);
                r.put("style", cfg.style().id());
                r.put("data", s.data());
                r.put("classes", cfg.classNames().size());
                r.put("heldout_classes", cfg.heldOutClassNames());
                r.put("seconds", secs);
                r.put("images_per_second", images / secs);
                Cli.printJson(o, r);
            } else {
                o.printf("wrote %d train, %d val, %d heldout scenes and %d Winoground pairs (%d px, %s) to %s in "
                        + "%.2f s (%.0f images/s)%n", s.train(), s.val(), s.heldout(), s.winoground(), size,
                        f.name().toLowerCase(Locale.ROOT), out, secs, images / secs);
                for (Map.Entry<String, String> e : s.data().entrySet()) {
                    o.printf("  %-10s %s%n", e.getKey(), e.getValue());
                }
                o.printf("held-out compositions (never in train): %s%n", String.join(", ", cfg.heldOutClassNames()));
            }
            return 0;
        }
    }

    @Command(name = "idx", mixinStandardHelpOptions = true,
            description = "Convert an IDX image/label pair (MNIST, Fashion-MNIST, KMNIST; .gz or plain) into tar"
                    + " shards captioned from a template, with the class as field 'class'.")
    static final class IdxCommand implements Callable<Integer> {
        @Option(names = "--images", required = true, paramLabel = "FILE", description = "IDX images (magic 0x803)")
        Path images;

        @Option(names = "--labels", required = true, paramLabel = "FILE", description = "IDX labels (magic 0x801)")
        Path labels;

        @Option(names = "--classes", required = true, paramLabel = "LIST|FILE",
                description = "class names by label: comma-separated, or a file with one per line")
        String classes;

        @Option(names = "--template", defaultValue = "a photo of a {}", paramLabel = "TEXT",
                description = "caption template (default: '${DEFAULT-VALUE}')")
        String template;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Option(names = "--name", defaultValue = "data", paramLabel = "STEM",
                description = "shard name stem: DIR/STEM-NNNN.tar (default: ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--shard-size", defaultValue = "10000", paramLabel = "N",
                description = "samples per shard (default: ${DEFAULT-VALUE})")
        int shardSize;

        @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "convert at most N samples")
        int limit;

        @Mixin
        JsonOption json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            IdxImport.Result r = IdxImport.convert(images, labels, EvalCommand.classList(classes), template, out, name,
                    shardSize, limit);
            double secs = (System.nanoTime() - t0) / 1e9;
            PrintWriter o = spec.commandLine().getOut();
            if (json.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("data", r.spec());
                m.put("count", r.count());
                m.put("size", r.rows() + "x" + r.cols());
                m.put("seconds", secs);
                Cli.printJson(o, m);
            } else {
                o.printf("wrote %d %dx%d images to %s in %.1f s%n", r.count(), r.rows(), r.cols(), r.spec(), secs);
            }
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Read a data spec (.tsv/.csv table, image folder, or tar shard pattern) once, decoding "
                    + "every image, and report usable entries and skipped ones by reason.")
    static final class CheckCommand implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "SPEC", description = "the data spec")
        String data;

        @Option(names = "--size", defaultValue = "64", paramLabel = "PX",
                description = "preprocess to this size (default: ${DEFAULT-VALUE})")
        int size;

        @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N",
                description = "images per batch (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Mixin
        JsonOption json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ImageTextDataset ds = ImageTextDataset.open(data);
            ImagePreprocessor pre = new ImagePreprocessor(PreprocessConfig.openaiClip(size));
            long images = 0;
            String first = null;
            long t0 = System.nanoTime();
            Map<String, Long> skipped;
            Map<String, String> examples;
            try (BatchLoader l = new BatchLoader(ds, pre, BatchLoader.Options.sequential(batchSize))) {
                Batch b;
                while ((b = l.next()) != null) {
                    if (first == null) {
                        first = b.captions().get(0);
                    }
                    images += b.size();
                }
                skipped = l.skipped();
                examples = l.skippedExamples();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            PrintWriter o = spec.commandLine().getOut();
            if (json.json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("data", data);
                r.put("kind", ds.kind().name().toLowerCase(Locale.ROOT));
                r.put("images", images);
                r.put("skipped", skipped);
                r.put("skipped_examples", examples);
                r.put("first_caption", first);
                r.put("seconds", secs);
                r.put("images_per_second", images / secs);
                Cli.printJson(o, r);
            } else {
                o.printf("%s (%s): %d usable images, read and preprocessed in %.2f s (%.0f images/s)%n", data,
                        ds.kind().name().toLowerCase(Locale.ROOT), images, secs, images / secs);
                for (Map.Entry<String, Long> e : skipped.entrySet()) {
                    o.printf("  skipped %d %s, e.g. %s%n", e.getValue(), e.getKey(), examples.get(e.getKey()));
                }
            }
            return 0;
        }
    }
}
