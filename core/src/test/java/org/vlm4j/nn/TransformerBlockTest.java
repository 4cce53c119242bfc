package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where the block's LayerNorms sit. The placements are told apart exactly by weights that make the answer known:
 * with the attention and MLP outputs zeroed, a pre-LN block is the identity, while Chameleon's block adds the two
 * norms' biases (LayerNorm of a zero vector is its bias); with the norms' gains zeroed, Chameleon's block adds just
 * the biases whatever the sub-layers compute, while the pre-LN block does not.
 */
class TransformerBlockTest {
    static final int D = 8;

    static BlockConfig config(String placement) {
        return new BlockConfig(D, 2, 16, Activation.GELU, 1e-5f, true, true, 0f, false, 0, placement);
    }

    static void set(TransformerBlock b, String name, float value) {
        Param p = b.namedParams().get(name);
        float[] v = new float[(int) p.array().size()];
        Arrays.fill(v, value);
        p.set(v);
    }

    /** Bias b1 = 0.5 on ln1, b2 = -0.25 on ln2. */
    static void biases(TransformerBlock b) {
        set(b, "ln1.bias", 0.5f);
        set(b, "ln2.bias", -0.25f);
    }

    static float[] run(TransformerBlock b, NDManager m, float[] x) {
        return b.forward(m.create(x, new Shape(1, 3, D)), Masks.causal(m, 3), null, null).toFloatArray();
    }

    static float[] shifted(float[] x, float by) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += by;
        }
        return out;
    }

    @Test
    void chameleonNormalisesTheSubLayerOutputsPreLnTheirInputs() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            float[] x = new Init(m, 3).normal(1.0, 1, 3, D).toFloatArray();
            for (String placement : new String[] {BlockConfig.PRE_NORM, BlockConfig.CHAMELEON_NORM}) {
                TransformerBlock zeroed = new TransformerBlock(new Init(m, 1), config(placement));
                biases(zeroed);
                for (String p : new String[] {"attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias"}) {
                    set(zeroed, p, 0f);
                }
                float[] expected = placement.equals(BlockConfig.PRE_NORM) ? x : shifted(x, 0.25f);
                assertArrayEquals(expected, run(zeroed, m, x), 1e-5f, placement + ", sub-layers output zero");

                TransformerBlock gainless = new TransformerBlock(new Init(m, 1), config(placement));
                biases(gainless);
                set(gainless, "ln1.weight", 0f);
                set(gainless, "ln2.weight", 0f);
                float[] out = run(gainless, m, x);
                if (placement.equals(BlockConfig.CHAMELEON_NORM)) {
                    assertArrayEquals(shifted(x, 0.25f), out, 1e-5f, "chameleon: x + norm(attn) + norm(mlp)");
                } else {
                    double diff = 0;
                    for (int i = 0; i < x.length; i++) {
                        diff += Math.abs(out[i] - x[i] - 0.25f);
                    }
                    assertTrue(diff > 1e-2, "pre-LN feeds the norms into the sub-layers, so the result differs");
                }
            }
        }
    }

    @Test
    void placementIsCheckedAndOldConfigsArePreLn() {
        assertThrows(IllegalArgumentException.class, () -> config("post"));
        assertEquals(BlockConfig.PRE_NORM, new BlockConfig(D, 2, 16, Activation.GELU, 1e-5f, true, false, 0f, false,
                0).normPlacement());
        DecoderConfig d = new DecoderConfig(11, 12, 16, 2, 2, 32, Activation.GELU, 1e-5f, false, 0, true);
        assertEquals(BlockConfig.PRE_NORM, d.block().normPlacement());
        assertTrue(d.withChameleonNorm().block().qkNorm() && d.withChameleonNorm().block().chameleonNorm());
    }

    @Test
    void cachedGenerationEqualsFullRecomputationWithChameleonNorm() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            DecoderConfig c = new DecoderConfig(11, 12, 16, 2, 2, 32, Activation.GELU, 1e-5f, false, 0, true)
                    .withChameleonNorm();
            TextDecoder d = new TextDecoder(new Init(m, 7), c);
            long[] prompt = {1, 4};
            Generator.Output out = Generator.generate(d, null, null, new long[][] {prompt},
                    GenerationConfig.greedy(6, Set.of()));
            long[] seq = GeneratorTest.concat(prompt, out.tokens()[0]);
            double[][] lp = GeneratorTest.fullLogProbs(d, m, seq, null);
            for (int i = prompt.length; i < seq.length; i++) {
                assertEquals(Generator.argmax(lp[i - 1]), (int) seq[i], "position " + i);
            }
        }
    }
}
