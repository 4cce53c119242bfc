package org.vlm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Generation after a soft prompt (a bridge's image embeddings): every token the cached generator picks is the argmax
 * of the decoder run without a cache over [prefix embeddings | prompt + tokens so far]; beam search takes the prefix
 * too; a different prefix changes what is generated (the prefix is read, not ignored).
 */
class SoftPromptGenerationTest {
    @Test
    void cachedGreedyAfterAPrefixEqualsFullRecomputation() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad g = new NoGrad()) {
            DecoderConfig c = new DecoderConfig(13, 16, 16, 2, 2, 32, Activation.GELU, 1e-5f, false, 0, true);
            TextDecoder d = new TextDecoder(new Init(m, 5), c);
            NDArray prefix = new Init(m, 6).normal(1.0, 2, 3, 16);
            long[][] prompts = {{1, 4}, {2, 9}};
            Generator.Output out = Generator.generate(d, prefix, prompts, GenerationConfig.greedy(5, Set.of()));
            for (int row = 0; row < 2; row++) {
                long[] seq = Arrays.copyOf(prompts[row], 2 + out.tokens()[row].length);
                System.arraycopy(out.tokens()[row], 0, seq, 2, out.tokens()[row].length);
                NDArray x = prefix.get(row + ":" + (row + 1)).concat(d.embedTokens(m.create(seq, new Shape(1,
                        seq.length))), 1);
                float[] logits = d.logitsFromEmbeddings(x, null, null, null).toFloatArray();
                int v = 13;
                for (int i = 2; i < seq.length; i++) {
                    int pos = 3 + i - 1; // the logits that predict seq[i]
                    double[] lp = Generator.logSoftmax(Arrays.copyOfRange(logits, pos * v, (pos + 1) * v), 1f);
                    assertEquals(Generator.argmax(lp), (int) seq[i], "row " + row + " token " + i);
                }
            }
            Generator.Output beam1 = Generator.generate(d, prefix, prompts, GenerationConfig.beam(5, 1, Set.of()));
            assertArrayEquals(out.tokens()[0], beam1.tokens()[0]);
            Generator.Output beam = Generator.generate(d, prefix, prompts, GenerationConfig.beam(5, 3, Set.of()));
            assertEquals(2, beam.tokens().length);
            Generator.Output other = Generator.generate(d, prefix.mul(-3f), prompts,
                    GenerationConfig.greedy(5, Set.of()));
            assertNotEquals(Arrays.deepToString(out.tokens()), Arrays.deepToString(other.tokens()));
        }
    }
}
