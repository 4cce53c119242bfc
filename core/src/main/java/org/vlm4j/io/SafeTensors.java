package org.vlm4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated, memory-mapped safetensors file. The header is checked in full when the file is opened
 * (size limit, dtypes, shapes against byte ranges, ranges inside the file and not overlapping), so a lying
 * header fails at once with the file and tensor named. Tensor bytes are mapped per tensor on demand, so
 * files over 2 GiB work and nothing is copied onto the heap until asked for.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one tensor lives in the file. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new SafeTensorsException(path, "file does not exist or is not a regular file");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new SafeTensorsException(path, "file is " + fileSize + " bytes, too short for a safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new SafeTensorsException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is outside 2.." + MAX_HEADER_BYTES + " bytes");
            }
            if (8 + headerLen > fileSize) {
                throw new SafeTensorsException(path, "header length " + headerLen + " runs past the end of the file ("
                        + fileSize + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SafeTensorsException(path, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (header == null || !header.isObject()) {
                throw new SafeTensorsException(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataSize));
            }
            checkNoOverlap(path, entries);
            return new SafeTensors(path, ch, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode n, long dataSize) {
        String where = "tensor '" + name + "'";
        JsonNode dt = n.get("dtype");
        JsonNode sh = n.get("shape");
        JsonNode off = n.get("data_offsets");
        if (dt == null || sh == null || off == null || !sh.isArray() || !off.isArray() || off.size() != 2) {
            throw new SafeTensorsException(path, where + " needs dtype, shape and data_offsets [begin, end]");
        }
        DType dtype = DType.parse(dt.asText());
        if (dtype == null) {
            throw new SafeTensorsException(path, where + " has unknown dtype '" + dt.asText() + "'");
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) {
                throw new SafeTensorsException(path, where + " has an invalid shape " + sh);
            }
            shape[i] = sh.get(i).asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        long begin = off.get(0).asLong(-1);
        long end = off.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafeTensorsException(path, where + " has data_offsets [" + off.get(0) + ", " + off.get(1)
                    + "] outside the " + dataSize + " data bytes of the file");
        }
        if (end - begin != numel * dtype.bytes()) {
            throw new SafeTensorsException(path, where + " of shape " + sh + " and dtype " + dtype + " needs "
                    + numel * dtype.bytes() + " bytes but its data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, Map<String, Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new SafeTensorsException(path, "tensors '" + a.name() + "' and '" + b.name()
                        + "' overlap in the file");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafeTensorsException(path, "has no tensor '" + name + "'");
        }
        return e;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's bytes, memory-mapped (read-only). */
    public TensorData get(String name) {
        Entry e = entry(name);
        try {
            ByteBuffer b = e.end() == e.begin() ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
            return new TensorData(e.dtype(), e.shape(), b);
        } catch (IOException ex) {
            throw new SafeTensorsException(path, "could not read tensor '" + name + "': " + ex.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Reads every tensor into heap copies (convenient for small files such as test fixtures). */
    public static Map<String, TensorData> readAll(Path path) throws IOException {
        try (SafeTensors st = open(path)) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (String n : st.names()) {
                TensorData t = st.get(n);
                ByteBuffer copy = ByteBuffer.allocate(t.data().remaining());
                copy.put(t.data().duplicate()).flip();
                out.put(n, new TensorData(t.dtype(), t.shape(), copy));
            }
            return out;
        }
    }

    /**
     * Writes tensors (in the given order) and string metadata to {@code path}: to a temporary file beside it
     * first, then renamed, so a reader never sees a half-written file.
     */
    public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            TensorData t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            var shape = n.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            long len = t.data().remaining();
            n.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] hb = JSON.writeValueAsBytes(header);
        int padded = (hb.length + 7) / 8 * 8; // keep tensor data 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(hb);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(path, out -> {
            while (head.hasRemaining()) {
                out.write(head);
            }
            for (TensorData t : tensors.values()) {
                ByteBuffer d = t.data().duplicate();
                while (d.hasRemaining()) {
                    out.write(d);
                }
            }
        });
    }
}
