package org.vlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.model.ImageTokenizer;

/**
 * The JSON of {@code tokenize-image} (stdout with --json, or its --out file), read back by {@code detokenize-image}:
 * {@code {"model": DIR, "codebook_size": K, "grid": [rows, cols], "results": [{"image": PATH, "codes": [[...],
 * ...]}, ...]}}, one grid of code rows per image, in input order.
 */
final class CodesFile {
    private CodesFile() {}

    /** The images' codes as the JSON document. */
    static Map<String, Object> toJson(Path model, ImageTokenizer t, List<String> images, int[][] codes) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            List<int[]> rows = new ArrayList<>();
            for (int r = 0; r < t.gridHeight(); r++) {
                rows.add(java.util.Arrays.copyOfRange(codes[i], r * t.gridWidth(), (r + 1) * t.gridWidth()));
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("image", images.get(i));
            e.put("codes", rows);
            results.add(e);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.toString());
        doc.put("codebook_size", t.codebookSize());
        doc.put("grid", List.of(t.gridHeight(), t.gridWidth()));
        doc.put("results", results);
        return doc;
    }

    /** One entry of a codes file: its source image (null when absent) and codes, row-major. */
    record Entry(String image, int[] codes) {}

    /** Reads a codes file for a tokenizer, checking every grid against it; errors name the file and the field. */
    static List<Entry> read(Path file, ImageTokenizer t) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": codes file does not exist");
        }
        JsonNode doc;
        try {
            doc = Cli.JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode k = doc.get("codebook_size");
        if (k != null && k.asInt() != t.codebookSize()) {
            throw new IllegalArgumentException(file + ": codes for a codebook of " + k.asInt() + ", but the model has "
                    + t.codebookSize());
        }
        JsonNode results = doc.get("results");
        if (results == null || !results.isArray() || results.isEmpty()) {
            throw new IllegalArgumentException(file + ": needs a non-empty array 'results' of {\"image\", \"codes\"}");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String where = file + ": results[" + i + "].codes";
            JsonNode rows = results.get(i).get("codes");
            if (rows == null || !rows.isArray() || rows.size() != t.gridHeight()) {
                throw new IllegalArgumentException(where + ": expected " + t.gridHeight() + " rows of " + t.gridWidth()
                        + " codes, got " + (rows == null || !rows.isArray() ? "none" : rows.size() + " rows"));
            }
            int[] codes = new int[t.gridHeight() * t.gridWidth()];
            for (int r = 0; r < rows.size(); r++) {
                JsonNode row = rows.get(r);
                if (!row.isArray() || row.size() != t.gridWidth()) {
                    throw new IllegalArgumentException(where + "[" + r + "]: expected " + t.gridWidth() + " codes, got "
                            + (row.isArray() ? row.size() : row.getNodeType().toString().toLowerCase()));
                }
                for (int c = 0; c < row.size(); c++) {
                    JsonNode v = row.get(c);
                    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0 || v.asInt() >= t.codebookSize()) {
                        throw new IllegalArgumentException(where + "[" + r + "][" + c + "]: " + v + " is not a code in [0, "
                                + t.codebookSize() + ")");
                    }
                    codes[r * t.gridWidth() + c] = v.asInt();
                }
            }
            JsonNode image = results.get(i).get("image");
            out.add(new Entry(image == null || image.isNull() ? null : image.asText(), codes));
        }
        return out;
    }
}
