package org.vlm4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.io.AtomicFiles;

/** The per-step JSON-lines logs of a run (metrics.jsonl, eval.jsonl). */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    /**
     * On resume: keeps the lines whose {@code "step"} is at most {@code lastKeptStep} (atomically rewritten), so the
     * file reads as one uninterrupted run; a line cut by a kill ends the kept part.
     */
    public static void keepUpTo(Path file, long lastKeptStep) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                if (JSON.readTree(line).path("step").asLong() <= lastKeptStep) {
                    keep.add(line);
                }
            } catch (IOException e) {
                break; // a line cut by a kill: everything after it is gone anyway
            }
        }
        AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }
}
