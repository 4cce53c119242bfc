package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.index.IndexBuilder;
import org.vlm4j.index.IndexMeta;
import org.vlm4j.index.ModelFingerprint;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vlm4j index}: build, extend and inspect a Lucene vector index of image embeddings. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "A vector index of image embeddings (Lucene HNSW) for `vlm4j search` and `vlm4j serve`.",
        subcommands = {IndexCommand.Build.class, IndexCommand.Add.class, IndexCommand.Stats.class})
final class IndexCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Embedding implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "a vlm4j model directory")
        Path model;

        @Option(names = "--images", required = true, paramLabel = "DIR|TSV|SHARDS",
                description = "the collection: an image folder, a .tsv/.csv table as `train` reads it, or tar shards")
        String images;

        @Option(names = "--out", required = true, paramLabel = "INDEX", description = "the index directory")
        Path out;

        @Option(names = "--batch-size", defaultValue = "64", description = "images per model call (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--commit-every", defaultValue = "8",
                description = "batches between commits: a killed build resumes from the last one (default: ${DEFAULT-VALUE})")
        int commitEvery;

        @Mixin
        JsonOption json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract boolean prune();

        @Override
        public Integer call() throws Exception {
            if (batchSize < 1 || commitEvery < 1) {
                throw new IllegalArgumentException("--batch-size and --commit-every must be at least 1");
            }
            ImageTextDataset data = ImageTextDataset.open(images);
            String fingerprint = ModelFingerprint.of(model);
            PrintWriter out = spec.commandLine().getOut();
            try (VlmModel m = Cli.load(model)) {
                ImageTextEncoder enc = Cli.encoder(m, model);
                IndexMeta meta = new IndexMeta(fingerprint, model.toAbsolutePath().normalize().toString(), m.family(),
                        enc.embedDim(), java.util.List.of());
                IndexBuilder.Report r;
                try (VectorIndex idx = VectorIndex.openForWriting(this.out, meta); Bar bar = new Bar(!json.json)) {
                    r = new IndexBuilder(enc).run(data, idx, new IndexBuilder.Options(batchSize, commitEvery, prune()),
                            bar::update);
                }
                if (json.json) {
                    Map<String, Object> j = new LinkedHashMap<>();
                    j.put("index", this.out.toString());
                    j.putAll(IndexBuilder.toJson(r));
                    Cli.printJson(out, j);
                } else {
                    out.printf("%s: %d images (%d added, %d updated, %d unchanged, %d deleted, %d failed) in %.1f s,"
                            + " %.1f images/s%n", this.out, r.total(), r.added(), r.updated(), r.unchanged(),
                            r.deleted(), r.failed(), r.seconds(), r.imagesPerSecond());
                    r.problems().forEach(p -> out.println("  skipped: " + p));
                }
            }
            return 0;
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Embed a collection into an index, incrementally: re-running embeds only new or changed "
                    + "images and drops those no longer in the collection. Resumable after a crash or kill."})
    static final class Build extends Embedding {
        @Override
        boolean prune() {
            return true;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a collection's new or changed images to an existing (or new) index; removes nothing.")
    static final class Add extends Embedding {
        @Override
        boolean prune() {
            return false;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "What an index holds and which model built it.")
    static final class Stats implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "INDEX", description = "the index directory")
        Path index;

        @Mixin
        JsonOption json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> j = new LinkedHashMap<>();
            try (VectorIndex idx = VectorIndex.openForReading(index, null, null)) {
                IndexMeta m = idx.meta();
                j.put("index", index.toString());
                j.put("images", idx.count());
                j.put("dim", m.dim());
                j.put("family", m.family());
                j.put("model_dir", m.modelDir());
                j.put("model_fingerprint", m.fingerprint());
                j.put("roots", m.roots());
                j.put("segments", idx.segments());
                long bytes;
                try (Stream<Path> s = Files.walk(index)) {
                    bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                }
                j.put("bytes", bytes);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json.json) {
                Cli.printJson(out, j);
            } else {
                j.forEach((k, v) -> out.printf("%-18s %s%n", k, v));
            }
            return 0;
        }
    }

    /** A progress bar on stderr when it is a terminal. */
    static final class Bar implements AutoCloseable {
        private final boolean enabled;
        private ProgressBar bar;

        Bar(boolean enabled) {
            this.enabled = enabled && System.console() != null;
        }

        void update(long done, long total) {
            if (!enabled) {
                return;
            }
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName("embedding").setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                        .setUnit(" img", 1).build();
            }
            bar.stepTo(done);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
