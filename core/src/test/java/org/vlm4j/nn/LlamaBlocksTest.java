package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vlm4j.io.ModelDir;

/**
 * The Llama-family options of the shared blocks against values computed by hand: rotary embeddings, grouped-query
 * attention, RMSNorm; a RoPE + GQA + RMSNorm + SwiGLU decoder generates with the KV-cache exactly as it recomputes;
 * old decoder configs load with GPT-2's shape.
 */
class LlamaBlocksTest {
    @Test
    void ropeRotatesDimensionPairsByPositionTimesFrequency() {
        try (NDManager m = NDManager.newBaseManager()) {
            // x = [1, 2, 3, 4] (hd 4: pairs (0, 2) at frequency 1 and (1, 3) at 10000^(-1/2) = 0.01), positions 0, 1
            NDArray x = m.create(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, new Shape(1, 1, 2, 4));
            float[] y = Rope.apply(x, 0, 10000).toFloatArray();
            // position 0: no rotation
            assertArrayEquals(new float[] {1, 2, 3, 4}, java.util.Arrays.copyOf(y, 4), 1e-6f);
            // position 1: x0 cos 1 - x2 sin 1, x1 cos .01 - x3 sin .01, x2 cos 1 + x0 sin 1, x3 cos .01 + x1 sin .01
            // cos 1 = 0.5403023, sin 1 = 0.8414710, cos .01 = 0.99995, sin .01 = 0.0099998333
            assertArrayEquals(new float[] {-1.9841107f, 1.9599007f, 2.4623779f, 4.0197997f},
                    java.util.Arrays.copyOfRange(y, 4, 8), 1e-5f);
            // an offset is the same as the position: row 0 at offset 1 is row 1 above
            assertArrayEquals(java.util.Arrays.copyOfRange(y, 4, 8),
                    Rope.apply(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4)), 1, 10000).toFloatArray(),
                    1e-6f);
            // scores depend only on the distance: <R(5) q, R(3) k> = <R(2) q, R(0) k>
            NDArray q = m.create(new float[] {0.3f, -1.2f, 0.7f, 2.0f}, new Shape(1, 1, 1, 4));
            NDArray k = m.create(new float[] {1.1f, 0.4f, -0.5f, 0.9f}, new Shape(1, 1, 1, 4));
            float far = Rope.apply(q, 5, 10000).mul(Rope.apply(k, 3, 10000)).sum().getFloat();
            float near = Rope.apply(q, 2, 10000).mul(Rope.apply(k, 0, 10000)).sum().getFloat();
            assertEquals(near, far, 1e-5);
        }
    }

    @Test
    void rmsNormDividesByTheRootMeanSquare() {
        try (NDManager m = NDManager.newBaseManager()) {
            RmsNorm n = new RmsNorm(new Init(m, 0), 4, 0f);
            // mean of squares (1 + 4 + 9 + 16) / 4 = 7.5, sqrt = 2.7386128
            assertArrayEquals(new float[] {0.3651484f, 0.7302967f, 1.0954451f, 1.4605935f},
                    n.forward(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 4))).toFloatArray(), 1e-6f);
        }
    }

    /** Two query heads sharing one key/value head; q = x, k = x[0:2], v = x[2:4], output projection = identity. */
    static Attention groupedByHand(NDManager m) {
        Attention a = new Attention(new Init(m, 0), 4, 2, 0, false, false, 1e-5f, 0.1, 1, 0f, false);
        float[] qkv = new float[8 * 4];
        for (int i = 0; i < 4; i++) {
            qkv[i * 4 + i] = 1; // q rows 0..3 = x
        }
        qkv[4 * 4] = 1; // k row 0 = x0
        qkv[5 * 4 + 1] = 1; // k row 1 = x1
        qkv[6 * 4 + 2] = 1; // v row 0 = x2
        qkv[7 * 4 + 3] = 1; // v row 1 = x3
        a.namedParams().get("qkv.weight").set(qkv);
        float[] eye = new float[16];
        for (int i = 0; i < 4; i++) {
            eye[i * 4 + i] = 1;
        }
        a.namedParams().get("proj.weight").set(eye);
        return a;
    }

    @Test
    void groupedQueryAttentionSharesKeysAndValuesAcrossHeads() {
        try (NDManager m = NDManager.newBaseManager()) {
            Attention a = groupedByHand(m);
            assertEquals(Set.of("qkv.weight", "proj.weight"), a.namedParams().keySet(), "no biases");
            assertEquals(new Shape(8, 4), a.namedParams().get("qkv.weight").array().getShape(), "(2 + 2x1) x hd rows");
            // x0 = [1, 0, 0, 1], x1 = [0, 1, 1, 0]: keys k0 = [1, 0], k1 = [0, 1]; values v0 = [0, 1], v1 = [1, 0]
            NDArray x = m.create(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, new Shape(1, 2, 4));
            float[] y = a.forward(x, Masks.causal(m, 2)).toFloatArray();
            // token 0 sees only itself: both heads read v0
            // token 1, head 0 (q = [0, 1]): scores [0, 1/sqrt 2] -> weights [1 - p, p], p = e^.7071 / (e^.7071 + 1)
            //   = 0.6697615, output (1 - p) v0 + p v1 = [p, 1 - p]; head 1 (q = [1, 0]): weights [p, 1 - p] -> [1 - p, p]
            float p = 0.6697615f;
            assertArrayEquals(new float[] {0, 1, 0, 1, p, 1 - p, 1 - p, p}, y, 1e-5f);
            // the cached path (one token at a time) gives the same
            KvCache cache = new KvCache(1);
            float[] first = a.forward(x.get(":, 0:1, :"), null, cache, 0).toFloatArray();
            cache.advance(1);
            float[] second = a.forward(x.get(":, 1:2, :"), Masks.causal(m, 1, 1), cache, 0).toFloatArray();
            assertArrayEquals(new float[] {0, 1, 0, 1}, first, 1e-6f);
            assertArrayEquals(new float[] {p, 1 - p, 1 - p, p}, second, 1e-5f);
        }
    }

    @Test
    void groupedEqualsMultiHeadWithDuplicatedKeyValueHeads() {
        try (NDManager m = NDManager.newBaseManager()) {
            Attention gqa = new Attention(new Init(m, 1), 8, 4, 0, true, false, 1e-5f, 0.1, 2, 0f, true);
            Attention mha = new Attention(new Init(m, 2), 8, 4, 0, true, false, 1e-5f, 0.1, 4, 0f, true);
            float[] w = gqa.namedParams().get("qkv.weight").array().toFloatArray(); // rows: 8 q, 4 k, 4 v (hd 2)
            float[] b = gqa.namedParams().get("qkv.bias").array().toFloatArray();
            float[] wFull = new float[24 * 8];
            float[] bFull = new float[24];
            System.arraycopy(w, 0, wFull, 0, 8 * 8);
            System.arraycopy(b, 0, bFull, 0, 8);
            for (int part = 0; part < 2; part++) { // k, then v: kv head j serves query heads 2j and 2j + 1
                for (int h = 0; h < 4; h++) {
                    int src = 8 + part * 4 + (h / 2) * 2;
                    int dst = 8 + part * 8 + h * 2;
                    System.arraycopy(w, src * 8, wFull, dst * 8, 2 * 8);
                    System.arraycopy(b, src, bFull, dst, 2);
                }
            }
            mha.namedParams().get("qkv.weight").set(wFull);
            mha.namedParams().get("qkv.bias").set(bFull);
            mha.namedParams().get("proj.weight").set(gqa.namedParams().get("proj.weight").array().toFloatArray());
            mha.namedParams().get("proj.bias").set(gqa.namedParams().get("proj.bias").array().toFloatArray());
            NDArray x = new Init(m, 3).normal(1.0, 2, 5, 8);
            assertArrayEquals(mha.forward(x, Masks.causal(m, 5)).toFloatArray(),
                    gqa.forward(x, Masks.causal(m, 5)).toFloatArray(), 1e-5f);
        }
    }

    static DecoderConfig llama(int vocab) {
        return new DecoderConfig(vocab, 16, 16, 2, 4, 24, Activation.SWIGLU, 1e-6f, false, 0, false, 2, "rms", "rope",
                10000f, false, false);
    }

    @Test
    void llamaDecoderGeneratesWithTheCacheAsItRecomputes() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            TextDecoder d = new TextDecoder(new Init(m, 5), llama(13));
            assertFalse(d.namedParams().containsKey("pos_embed"), "RoPE: no positional table");
            assertTrue(d.namedParams().containsKey("head.weight"), "untied head");
            assertFalse(d.namedParams().containsKey("ln_final.bias"), "RMSNorm has no bias");
            assertEquals(new Shape(48, 16), d.namedParams().get("transformer.blocks.0.mlp.fc1.weight").array()
                    .getShape(), "SwiGLU: gate | up");
            assertEquals(new Shape(32, 16), d.namedParams().get("transformer.blocks.0.attn.qkv.weight").array()
                    .getShape(), "4 query heads + 2 x 2 kv heads of 4");
            long[] prompt = {1, 7, 3};
            Generator.Output out = Generator.generate(d, null, null, new long[][] {prompt},
                    GenerationConfig.greedy(8, Set.of()));
            long[] seq = GeneratorTest.concat(prompt, out.tokens()[0]);
            double[][] lp = GeneratorTest.fullLogProbs(d, m, seq, null);
            double sum = 0;
            for (int i = prompt.length; i < seq.length; i++) {
                assertEquals(Generator.argmax(lp[i - 1]), (int) seq[i], "position " + i);
                sum += lp[i - 1][(int) seq[i]];
            }
            assertEquals(sum, out.logProbs()[0], 1e-4, "cached log-probabilities = recomputed ones");
        }
    }

    @Test
    void oldDecoderConfigsLoadWithGpt2Shape() throws Exception {
        DecoderConfig old = new DecoderConfig(100, 32, 64, 2, 4, 256, Activation.GELU, 1e-5f, false, 0, true);
        JsonNode json = ModelDir.JSON.readTree("{\"vocab_size\":100,\"context_length\":32,\"width\":64,\"layers\":2,"
                + "\"heads\":4,\"mlp_hidden\":256,\"activation\":\"GELU\",\"ln_eps\":1e-5,\"cross_attention\":false,"
                + "\"context_dim\":0,\"tied_head\":true}");
        DecoderConfig parsed = ModelDir.parse(json, DecoderConfig.class, Path.of("config.json"));
        assertEquals(old, parsed);
        assertEquals(new BlockConfig(64, 4, 256, Activation.GELU, 1e-5f, true, false, 0f, false, 0), parsed.block());
        DecoderConfig l = llama(50);
        assertEquals(l, ModelDir.parse(ModelDir.JSON.valueToTree(l), DecoderConfig.class, Path.of("config.json")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DecoderConfig(10, 8, 16,
                1, 4, 8, Activation.GELU, 1e-5f, false, 0, true, 3, "rms", "rope", 10000f, true, true));
        assertTrue(e.getMessage().contains("kv heads 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DecoderConfig(10, 8, 16, 1, 4, 8, Activation.GELU,
                1e-5f, false, 0, true, 0, "batch", "learned", 10000f, true, true));
        assertTrue(e.getMessage().contains("norm"), e.getMessage());
    }
}
