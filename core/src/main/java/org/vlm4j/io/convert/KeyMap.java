package org.vlm4j.io.convert;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vlm4j.io.TensorData;
import org.vlm4j.nn.Module;
import org.vlm4j.nn.Param;

/**
 * A foreign checkpoint layout (OpenCLIP, HF CLIPModel, HF SiglipModel): for each of our parameter names, the recipe
 * that makes it from the foreign tensors. Import and export both go through {@link #importInto} / {@link #export}.
 */
public interface KeyMap {
    /** The recipe for one of our parameters, or null when this layout cannot provide it. */
    Recipe recipe(String ours);

    /** Foreign keys that carry no parameters (buffers such as position_ids or attn_mask) and may be skipped. */
    default boolean ignorable(String foreignKey) {
        return false;
    }

    /** Loads every parameter of {@code module}; missing, mis-shaped and left-over foreign keys are errors. */
    default void importInto(Module module, Map<String, TensorData> foreign, String file) {
        Set<String> used = new HashSet<>();
        for (Map.Entry<String, Param> e : module.namedParams().entrySet()) {
            Recipe r = recipe(e.getKey());
            if (r == null) {
                throw new IllegalArgumentException(file + ": this checkpoint format has no mapping for parameter '"
                        + e.getKey() + "'");
            }
            long[] shape = e.getValue().array().getShape().getShape();
            e.getValue().set(r.read(foreign, shape, file));
            used.addAll(r.sources());
        }
        List<String> left = new ArrayList<>();
        for (String k : foreign.keySet()) {
            if (!used.contains(k) && !ignorable(k)) {
                left.add(k);
            }
        }
        if (!left.isEmpty()) {
            throw new IllegalArgumentException(file + ": unexpected key" + (left.size() > 1 ? "s " : " ")
                    + String.join(", ", left.subList(0, Math.min(5, left.size())))
                    + (left.size() > 5 ? " (+" + (left.size() - 5) + " more)" : "")
                    + " (does the config describe this checkpoint?)");
        }
    }

    /** The module's parameters under the foreign names. */
    default Map<String, TensorData> export(Module module) {
        ForeignTensors out = new ForeignTensors();
        module.namedParams().forEach((name, p) -> {
            Recipe r = recipe(name);
            if (r == null) {
                throw new IllegalArgumentException("this checkpoint format has no name for parameter '" + name + "'");
            }
            r.write(p.array().toFloatArray(), p.array().getShape().getShape(), out);
        });
        return out.toTensors();
    }
}
