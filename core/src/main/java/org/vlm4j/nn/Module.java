package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every block: named parameters and named child modules, like PyTorch's nn.Module, so that
 * a model's state is a flat map of dotted names ("visual.transformer.blocks.0.attn.qkv.weight") that maps
 * one-to-one onto a safetensors file. Forward methods are plain Java methods over NDArrays.
 */
public abstract class Module {
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    protected final Param param(String name, NDArray value) {
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name + " in " + getClass().getSimpleName());
        }
        Param p = new Param(value);
        params.put(name, p);
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name + " in " + getClass().getSimpleName());
        }
        children.put(name, module);
        return module;
    }

    /** Every parameter under this module, by dotted name, in registration order. */
    public final Map<String, Param> namedParams() {
        Map<String, Param> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Param> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public final List<Param> trainableParams() {
        List<Param> out = new ArrayList<>();
        for (Param p : namedParams().values()) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Freezes or unfreezes every parameter under this module. */
    public final void setTrainable(boolean trainable) {
        namedParams().values().forEach(p -> p.setTrainable(trainable));
    }

    public final long parameterCount() {
        long n = 0;
        for (Param p : namedParams().values()) {
            n += p.array().size();
        }
        return n;
    }

    /** The shape of each parameter, by dotted name. */
    public final Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        namedParams().forEach((n, p) -> out.put(n, p.array().getShape()));
        return out;
    }
}
