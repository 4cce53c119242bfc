package org.vlm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.index.IndexMeta;
import org.vlm4j.index.ModelFingerprint;
import org.vlm4j.index.SearchHit;
import org.vlm4j.index.VectorIndex;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search an index for the images closest to a text (cosine similarity, best first).")
final class SearchCommand implements Callable<Integer> {
    @Option(names = "--index", required = true, paramLabel = "INDEX", description = "an index from `vlm4j index build`")
    Path index;

    @Option(names = "--text", required = true, description = "what to look for")
    String text;

    @Option(names = "--k", defaultValue = "10", description = "results (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--model", paramLabel = "DIR",
            description = "the model that built the index (default: where it was when the index was built)")
    Path model;

    @Option(names = "--exact", description = "brute-force search over every vector instead of HNSW")
    boolean exact;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be at least 1");
        }
        IndexMeta meta = VectorIndex.readMeta(index);
        Path modelDir = model != null ? model : Path.of(meta.modelDir());
        List<SearchHit> hits;
        try (VectorIndex idx = VectorIndex.openForReading(index, ModelFingerprint.of(modelDir), modelDir.toString());
             VlmModel m = Cli.load(modelDir)) {
            ImageTextEncoder enc = Cli.encoder(m, modelDir);
            float[] q = enc.encodeTexts(List.of(text))[0];
            hits = exact ? idx.exactSearch(q, k) : idx.search(q, k);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            List<Map<String, Object>> rs = new ArrayList<>();
            for (SearchHit h : hits) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("path", h.path());
                r.put("score", h.score());
                r.put("caption", h.caption());
                rs.add(r);
            }
            Cli.printJson(out, Map.of("results", rs));
        } else {
            for (SearchHit h : hits) {
                out.printf("%7.4f  %s%s%n", h.score(), h.path(), h.caption().isEmpty() ? "" : "  (" + h.caption() + ")");
            }
        }
        return 0;
    }
}
