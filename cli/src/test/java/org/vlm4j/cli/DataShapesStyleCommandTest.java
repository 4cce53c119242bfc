package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vlm4j data shapes --style outline}: the same scenes, stroked; the style is in the JSON and the manifest. */
class DataShapesStyleCommandTest {
    @TempDir
    Path tmp;

    @Test
    void outlineStyleWritesTheSameScenesDrawnDifferently() throws Exception {
        CliTest.Result f = CliTest.run("data", "shapes", "--out", tmp.resolve("f"), "--count", "20", "--size", "32",
                "--json");
        CliTest.Result o = CliTest.run("data", "shapes", "--out", tmp.resolve("o"), "--count", "20", "--size", "32",
                "--style", "outline", "--json");
        assertEquals(0, f.code(), f.err());
        assertEquals(0, o.code(), o.err());
        JsonNode j = CliTest.JSON.readTree(o.out());
        assertEquals("outline", j.get("style").asText());
        assertEquals("filled", CliTest.JSON.readTree(f.out()).get("style").asText());
        assertTrue(Files.readString(tmp.resolve("o/shapes.json")).contains("outline"));
        assertEquals(Files.readString(tmp.resolve("f/val.tsv")), Files.readString(tmp.resolve("o/val.tsv")));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("f/images/val/000000.png")),
                Files.readAllBytes(tmp.resolve("o/images/val/000000.png"))));
    }

    @Test
    void anUnknownStyleIsAUsageError() {
        CliTest.Result bad = CliTest.run("data", "shapes", "--out", tmp.resolve("x"), "--count", "5", "--style",
                "dotted");
        assertEquals(2, bad.code(), bad.err()); // a usage error, as for --format
        assertTrue(bad.err().contains("style must be filled or outline, got 'dotted'"), bad.err());
    }
}
