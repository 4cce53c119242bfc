package org.vlm4j.io.convert;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vlm4j.io.TensorData;

/** Tensors being written under a foreign checkpoint's names; slices of one tensor are assembled in place. */
public final class ForeignTensors {
    private record Pending(float[] values, long[] shape) {}

    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public void put(String key, float[] values, long[] shape) {
        if (tensors.put(key, new Pending(values, shape.clone())) != null) {
            throw new IllegalStateException("two parameters write foreign key " + key);
        }
    }

    public void putSlice(String key, float[] values, int offset, long[] wholeShape) {
        Pending p = tensors.computeIfAbsent(key,
                k -> new Pending(new float[Math.toIntExact(TensorData.numel(wholeShape))], wholeShape.clone()));
        System.arraycopy(values, 0, p.values(), offset, values.length);
    }

    public Map<String, TensorData> toTensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        tensors.forEach((k, p) -> out.put(k, TensorData.ofFloats(p.values(), p.shape())));
        return out;
    }
}
