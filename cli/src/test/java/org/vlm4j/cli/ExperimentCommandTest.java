package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every experiment end to end on a minimal budget (a few steps per model): the table has its shape, every model
 * trained (a finite loss), and the markdown with the settings is written.
 */
class ExperimentCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"siglip-vs-clip-batch, 5, 10", "infonce-batch, 6, 7", "llip-vs-clip, 2, 7",
        "generative-vs-discriminative, 6, 10", "projection-only, 3, 8"})
    void runsEndToEndOnAMinimalBudget(String name, int rows, int columns) throws Exception {
        CliTest.Result r = CliTest.run("experiment", name, "--budget-pairs", "16", "--scenes", "120", "--colors", "2",
                "--shapes", "2", "--out", tmp, "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliTest.JSON.readTree(r.out());
        assertEquals(name, j.get("name").asText());
        assertEquals(columns, j.get("columns").size());
        assertEquals(rows, j.get("rows").size());
        for (JsonNode row : j.get("rows")) {
            assertEquals(columns, row.size());
            row.fields().forEachRemaining(f -> {
                if (f.getKey().contains("loss")) {
                    assertTrue(Double.isFinite(f.getValue().asDouble()) && f.getValue().asDouble() > 0,
                            "every model trained: " + row);
                }
                if (f.getKey().contains("zero-shot")) {
                    assertTrue(f.getValue().asDouble() >= 0 && f.getValue().asDouble() <= 1, row.toString());
                }
            });
        }
        assertTrue(j.get("held").isBoolean());
        assertEquals(16, j.get("settings").get("pairs_per_run").asInt());
        String md = Files.readString(Path.of(j.get("markdown").asText()));
        assertTrue(md.startsWith("## " + name) && md.contains("Settings:") && md.contains("pairs_per_run: 16"), md);
    }

    @ParameterizedTest
    @CsvSource({"no-such-claim"})
    void anUnknownExperimentIsACleanError(String name) {
        CliTest.assertCleanError(CliTest.run("experiment", name, "--out", tmp), "siglip-vs-clip-batch");
    }
}
