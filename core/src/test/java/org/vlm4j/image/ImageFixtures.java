package org.vlm4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;

/** OpenCLIP preprocessing fixtures (see fixtures/openclip/README.md, "Preprocessing"). */
final class ImageFixtures {
    static final Path DIR = Path.of("src/test/resources/fixtures/openclip/preprocess");

    /** One case of preprocess_cases.json. */
    record Case(String name, Path file, String pilMode, int width, int height, int resizedW, int resizedH,
                int cropX, int cropY) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Case> cases;
    private static Map<String, TensorData> tensors;

    private ImageFixtures() {}

    static synchronized List<Case> cases() {
        if (cases == null) {
            try {
                JsonNode root = new ObjectMapper().readTree(DIR.resolve("preprocess_cases.json").toFile());
                List<Case> out = new ArrayList<>();
                for (JsonNode c : root.get("cases")) {
                    String rel = c.get("file").asText(); // "preprocess/images/x.png"
                    out.add(new Case(c.get("name").asText(), DIR.resolve(rel.substring("preprocess/".length())),
                            c.get("pil_mode").asText(), c.get("size_wh").get(0).asInt(),
                            c.get("size_wh").get(1).asInt(), c.get("resized_size_wh").get(0).asInt(),
                            c.get("resized_size_wh").get(1).asInt(), c.get("center_crop_offset_xy").get(0).asInt(),
                            c.get("center_crop_offset_xy").get(1).asInt()));
                }
                cases = List.copyOf(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases;
    }

    static Case byName(String name) {
        return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static synchronized TensorData tensor(String key) {
        if (tensors == null) {
            try {
                tensors = SafeTensors.readAll(DIR.resolve("preprocess_vitb32.safetensors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        TensorData t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + key);
        }
        return t;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static int maxU8Diff(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths " + a.length + " vs " + b.length);
        }
        int m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        }
        return m;
    }
}
