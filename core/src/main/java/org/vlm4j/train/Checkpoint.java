package org.vlm4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.StateDict;
import org.vlm4j.io.TensorData;
import org.vlm4j.nn.Module;

/**
 * Training checkpoints: {@code RUN/checkpoints/step-NNNNNNNN/} holding the weights, the optimiser moments and
 * {@code state.json} (step, data position, seed, counters). Each is written into a temporary directory and renamed,
 * so a run killed at any moment leaves only complete checkpoints; the newest K are kept.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PREFIX = "step-";

    /** What besides tensors a resumed run needs. */
    public record State(long step, long optimizerStep, long dataEpoch, long dataOffset, long seed,
                        Map<String, Long> counters) {}

    private Checkpoint() {}

    public static Path dir(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    public static Path save(Path runDir, Module model, AdamW optimizer, State state, int keep) throws IOException {
        Path root = dir(runDir);
        Files.createDirectories(root);
        Path target = root.resolve(String.format("%s%08d", PREFIX, state.step()));
        Path tmp = Files.createTempDirectory(root, ".tmp-" + state.step() + "-");
        try {
            StateDict.save(model, tmp.resolve("model.safetensors"), Map.of("step", Long.toString(state.step())));
            Map<String, TensorData> opt = new LinkedHashMap<>();
            optimizer.state().forEach((k, v) -> opt.put(k, TensorData.ofFloats(v, v.length)));
            SafeTensors.write(tmp.resolve("optimizer.safetensors"), opt, Map.of());
            AtomicFiles.writeString(tmp.resolve("state.json"), JSON.writeValueAsString(state));
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        prune(root, keep);
        return target;
    }

    /** The newest complete checkpoint of a run, if any. */
    public static Optional<Path> latest(Path runDir) throws IOException {
        List<Path> all = list(dir(runDir));
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Restores weights and optimiser moments and returns the state. */
    public static State load(Path checkpoint, Module model, AdamW optimizer) throws IOException {
        State state = JSON.readValue(checkpoint.resolve("state.json").toFile(), State.class);
        StateDict.load(model, checkpoint.resolve("model.safetensors"));
        Map<String, float[]> moments = new LinkedHashMap<>();
        SafeTensors.readAll(checkpoint.resolve("optimizer.safetensors")).forEach((k, t) -> moments.put(k, t.toFloats()));
        optimizer.restore(moments, state.optimizerStep(), model.namedParams());
        return state;
    }

    private static List<Path> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> out = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && Files.isRegularFile(p.resolve("state.json"))).toList());
            out.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return out;
        }
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
    }

}
