package org.vlm4j.io.convert;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vlm4j.io.TensorData;
import org.vlm4j.nn.PosEmbed;

/**
 * How one of our parameters is made from a foreign checkpoint's tensors, and, inverted, how it is written back
 * under the foreign names. Every recipe is invertible, so each key map serves both import and export.
 */
public sealed interface Recipe {
    /** The foreign keys this recipe reads. */
    List<String> sources();

    /** Our values from the foreign tensors, checked against the shape we expect. */
    float[] read(Map<String, TensorData> foreign, long[] ours, String file);

    /** Our values written as foreign tensors (slices of one foreign tensor are assembled by the caller). */
    void write(float[] values, long[] ours, ForeignTensors out);

    /** Same values, same numel; the shape may differ only in size-1 dimensions (0-d scalar vs [1], [1,1,D] vs [1,D]). */
    record Rename(String source, long[] foreignShape) implements Recipe {
        public Rename(String source) {
            this(source, null);
        }

        public List<String> sources() {
            return List.of(source);
        }

        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            TensorData t = require(f, source, file);
            if (!Arrays.equals(squeeze(t.shape()), squeeze(ours))) {
                throw mismatch(file, source, t.shape(), ours);
            }
            return t.toFloats();
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            out.put(source, values, foreignShape == null ? ours : foreignShape);
        }
    }

    /** A 2-D matrix stored transposed (OpenCLIP's {@code x @ proj} matrices vs our [out, in] Linear weights). */
    record Transpose(String source) implements Recipe {
        public List<String> sources() {
            return List.of(source);
        }

        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            TensorData t = require(f, source, file);
            long[] s = t.shape();
            if (s.length != 2 || ours.length != 2 || s[0] != ours[1] || s[1] != ours[0]) {
                throw mismatch(file, source, s, new long[] {ours.length == 2 ? ours[1] : -1, ours.length == 2 ? ours[0] : -1});
            }
            return transpose(t.toFloats(), (int) s[0], (int) s[1]);
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            out.put(source, transpose(values, (int) ours[0], (int) ours[1]), new long[] {ours[1], ours[0]});
        }
    }

    /** Our tensor is the foreign tensors stacked along dim 0 (q|k|v projections into one fused QKV). */
    record Concat(List<String> sources) implements Recipe {
        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            long rows = ours[0] / sources.size();
            long[] part = ours.clone();
            part[0] = rows;
            float[] out = new float[Math.toIntExact(TensorData.numel(ours))];
            int at = 0;
            for (String s : sources) {
                TensorData t = require(f, s, file);
                if (!Arrays.equals(t.shape(), part)) {
                    throw mismatch(file, s, t.shape(), part);
                }
                float[] v = t.toFloats();
                System.arraycopy(v, 0, out, at, v.length);
                at += v.length;
            }
            return out;
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            long[] part = ours.clone();
            part[0] = ours[0] / sources.size();
            int n = values.length / sources.size();
            for (int i = 0; i < sources.size(); i++) {
                out.put(sources.get(i), Arrays.copyOfRange(values, i * n, (i + 1) * n), part);
            }
        }
    }

    /**
     * Our tensor is the foreign tensors stacked along dim 0 when they differ in rows (grouped-query attention's q|k|v,
     * SwiGLU's gate|up); {@code rows} gives each source's row count.
     */
    record ConcatRows(List<String> sources, List<Long> rows) implements Recipe {
        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            float[] out = new float[Math.toIntExact(TensorData.numel(ours))];
            int at = 0;
            for (int i = 0; i < sources.size(); i++) {
                long[] part = ours.clone();
                part[0] = rows.get(i);
                TensorData t = require(f, sources.get(i), file);
                if (!Arrays.equals(t.shape(), part)) {
                    throw mismatch(file, sources.get(i), t.shape(), part);
                }
                float[] v = t.toFloats();
                if (at + v.length > out.length) {
                    throw mismatch(file, sources.get(i), t.shape(), ours);
                }
                System.arraycopy(v, 0, out, at, v.length);
                at += v.length;
            }
            if (at != out.length) {
                throw new IllegalArgumentException(file + ": keys " + sources + " hold " + at + " values but the model"
                        + " expects " + Arrays.toString(ours));
            }
            return out;
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            int rowLen = Math.toIntExact(TensorData.numel(ours) / ours[0]);
            int at = 0;
            for (int i = 0; i < sources.size(); i++) {
                long[] part = ours.clone();
                part[0] = rows.get(i);
                int n = Math.toIntExact(rows.get(i) * rowLen);
                out.put(sources.get(i), Arrays.copyOfRange(values, at, at + n), part);
                at += n;
            }
        }
    }

    /** Our tensor is rows [begin, end) of a foreign tensor (a packed in_proj split into our q and kv). */
    record RowSlice(String source, long begin, long end, long totalRows) implements Recipe {
        public List<String> sources() {
            return List.of(source);
        }

        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            TensorData t = require(f, source, file);
            long[] s = t.shape();
            long[] whole = ours.clone();
            whole[0] = totalRows;
            if (!Arrays.equals(s, whole)) {
                throw mismatch(file, source, s, whole);
            }
            int rowLen = Math.toIntExact(TensorData.numel(ours) / ours[0]);
            return Arrays.copyOfRange(t.toFloats(), (int) begin * rowLen, (int) end * rowLen);
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            long[] whole = ours.clone();
            whole[0] = totalRows;
            int rowLen = Math.toIntExact(TensorData.numel(ours) / ours[0]);
            out.putSlice(source, values, (int) begin * rowLen, whole);
        }
    }

    /**
     * A learned positional-embedding table; a checkpoint trained at another grid is resized bicubically
     * (OpenCLIP's resize_pos_embed), keeping {@code prefix} leading rows (the class token).
     */
    record PositionTable(String source, int prefix) implements Recipe {
        public List<String> sources() {
            return List.of(source);
        }

        public float[] read(Map<String, TensorData> f, long[] ours, String file) {
            TensorData t = require(f, source, file);
            long[] s = squeeze2(t.shape());
            if (s.length != 2 || s[1] != ours[1]) {
                throw mismatch(file, source, t.shape(), ours);
            }
            if (s[0] == ours[0]) {
                return t.toFloats();
            }
            int from = (int) Math.round(Math.sqrt(s[0] - prefix));
            int to = (int) Math.round(Math.sqrt(ours[0] - prefix));
            if ((long) from * from != s[0] - prefix || (long) to * to != ours[0] - prefix) {
                throw mismatch(file, source, t.shape(), ours);
            }
            return PosEmbed.resize(t.toFloats(), (int) ours[1], prefix, from, from, to, to);
        }

        public void write(float[] values, long[] ours, ForeignTensors out) {
            out.put(source, values, ours);
        }
    }

    private static long[] squeeze(long[] s) {
        return Arrays.stream(s).filter(d -> d != 1).toArray();
    }

    private static long[] squeeze2(long[] s) {
        return s.length == 3 && s[0] == 1 ? new long[] {s[1], s[2]} : s;
    }

    private static TensorData require(Map<String, TensorData> f, String key, String file) {
        TensorData t = f.get(key);
        if (t == null) {
            throw new IllegalArgumentException(file + ": missing key '" + key + "'");
        }
        return t;
    }

    private static IllegalArgumentException mismatch(String file, String key, long[] found, long[] expected) {
        return new IllegalArgumentException(file + ": key '" + key + "' has shape " + Arrays.toString(found)
                + " but the model expects " + Arrays.toString(expected));
    }

    static float[] transpose(float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }
}
