package org.vlm4j.io;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.Param;

/** A module's parameters as a safetensors file under vlm4j's own key names (F32), and back. */
public final class StateDict {
    private StateDict() {}

    public static Map<String, TensorData> of(Module module) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        module.namedParams().forEach((name, p) ->
                out.put(name, TensorData.ofFloats(p.array().toFloatArray(), p.array().getShape().getShape())));
        return out;
    }

    public static void save(Module module, Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "vlm4j");
        if (metadata != null) {
            meta.putAll(metadata);
        }
        SafeTensors.write(file, of(module), meta);
    }

    /**
     * Loads every parameter of the module from tensors under the same names; a missing key, a wrong shape, or a key
     * the module does not have is an error naming the key (and both shapes).
     */
    public static void load(Module module, Map<String, TensorData> tensors, String source) {
        List<String> unexpected = new ArrayList<>(tensors.keySet());
        for (Map.Entry<String, Param> e : module.namedParams().entrySet()) {
            String name = e.getKey();
            TensorData t = tensors.get(name);
            Shape expected = e.getValue().array().getShape();
            if (t == null) {
                throw new IllegalArgumentException(source + ": missing key '" + name + "' (expected shape "
                        + Arrays.toString(expected.getShape()) + ")");
            }
            if (!Arrays.equals(t.shape(), expected.getShape())) {
                throw new IllegalArgumentException(source + ": key '" + name + "' has shape " + Arrays.toString(t.shape())
                        + " but the model expects " + Arrays.toString(expected.getShape()));
            }
            e.getValue().set(t.toFloats());
            unexpected.remove(name);
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(source + ": unexpected key" + (unexpected.size() > 1 ? "s " : " ")
                    + String.join(", ", unexpected.subList(0, Math.min(5, unexpected.size())))
                    + (unexpected.size() > 5 ? " (+" + (unexpected.size() - 5) + " more)" : ""));
        }
    }

    public static void load(Module module, Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, TensorData> all = new LinkedHashMap<>();
            for (String n : st.names()) {
                all.put(n, st.get(n));
            }
            load(module, all, file.toString());
        }
    }
}
