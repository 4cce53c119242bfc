package org.vlm4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    static Path fixture(String rel) {
        return Path.of("src/test/resources/fixtures/openclip").resolve(rel);
    }

    @Test
    void readsOpenClipFixtureWithZeroDimScalars() throws IOException {
        try (SafeTensors st = SafeTensors.open(fixture("peer-tiny-clip/model.safetensors"))) {
            assertEquals("pt", st.metadata().get("format"));
            assertArrayEquals(new long[0], st.entry("logit_scale").shape());
            assertArrayEquals(new long[] {49408, 64}, st.entry("token_embedding.weight").shape());
            float[] scale = st.get("logit_scale").toFloats();
            assertEquals(1, scale.length);
            assertEquals(Math.log(1 / 0.07), scale[0], 1e-6);
        }
    }

    @Test
    void roundTripsEveryDtypeAndKeepsOrder() throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("z.last", TensorData.ofFloats(new float[] {1.5f, -2f, 3.25f}, 3));
        t.put("a.first", TensorData.ofLongs(new long[] {7, -9}, 1, 2));
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort((short) 0x3fc0).putShort((short) 0xc000).flip(); // bf16 1.5, -2
        t.put("bf", new TensorData(DType.BF16, new long[] {2}, bf));
        ByteBuffer h = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0x3e00).putShort((short) 0x0001).putShort((short) 0xfc00).flip(); // f16 1.5, min subnormal, -inf
        t.put("half", new TensorData(DType.F16, new long[] {3}, h));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, t, Map.of("k", "v"));
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(java.util.List.of("z.last", "a.first", "bf", "half"), st.names());
            assertEquals("v", st.metadata().get("k"));
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, st.get("z.last").toFloats());
            assertArrayEquals(new long[] {7, -9}, st.get("a.first").toLongs());
            assertArrayEquals(new float[] {1.5f, -2f}, st.get("bf").toFloats());
            assertArrayEquals(new float[] {1.5f, 0x1p-24f, Float.NEGATIVE_INFINITY}, st.get("half").toFloats());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    private Path rawFile(String header, int dataBytes) throws IOException {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length).put(hb);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void assertRejected(Path p, String expectedFragment) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(p).close());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }

    @Test
    void rejectsLyingHeaders() throws IOException {
        assertRejected(rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "outside");
        assertRejected(rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16), "needs 12 bytes");
        assertRejected(rawFile("{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4), "unknown dtype 'Q4'");
        assertRejected(rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(rawFile("{not json", 0), "not valid JSON");
    }

    @Test
    void rejectsHugeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(Long.MAX_VALUE / 2).putLong(0);
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, b.array());
        assertRejected(p, "header length");
        Files.write(p, new byte[3]);
        assertRejected(p, "too short");
        assertRejected(dir.resolve("missing.safetensors"), "does not exist");
    }
}
