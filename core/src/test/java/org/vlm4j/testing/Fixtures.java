package org.vlm4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Access to the OpenCLIP reference fixtures copied into the test resources. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final Path OPENCLIP = Path.of("src/test/resources/fixtures/openclip").toAbsolutePath();

    private Fixtures() {}

    public static Path openclip(String rel) {
        return OPENCLIP.resolve(rel);
    }

    public static JsonNode json(String rel) throws IOException {
        return JSON.readTree(openclip(rel).toFile());
    }

    public static float[][] matrix(JsonNode n) {
        float[][] out = new float[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new float[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) n.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    public static long[][] longMatrix(JsonNode n) {
        long[][] out = new long[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new long[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = n.get(i).get(j).asLong();
            }
        }
        return out;
    }

    /** Largest absolute element difference; fails on a shape mismatch. */
    public static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new AssertionError("row count " + a.length + " != " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new AssertionError("row " + i + " length " + a[i].length + " != " + b[i].length);
            }
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
