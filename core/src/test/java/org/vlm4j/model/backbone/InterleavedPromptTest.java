package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * Frozen's interleaved inputs: each {@code <image>} of a prompt is replaced in place by that image's soft prompt.
 * Untrained frozen-tiny weights suffice: the sequence's length and order are checked position by position, order
 * matters to the logits, and one image then the prompt is exactly the single-image path.
 */
class InterleavedPromptTest {
    static ClipBpeTokenizer tok;
    static FrozenBridge bridge;
    static float[] a;
    static float[] b;

    @BeforeAll
    static void build() {
        tok = BpeTrainer.of(520).train(List.of("this is a red circle.", "this is a blue square.",
                "question: what colour is it? answer: red")).tokenizer();
        bridge = new FrozenBridge(Bridges.preset("frozen-tiny", tok.vocabSize()), tok, 7);
        a = image(1);
        b = image(2);
    }

    @AfterAll
    static void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    static float[][] rows(List<Segment> segments) {
        try (NDScope s = new NDScope(); NoGrad g = new NoGrad(); NDManager m = NDManager.newBaseManager()) {
            NDArray x = bridge.spliced(segments, m);
            int t = (int) x.getShape().get(1);
            int d = (int) x.getShape().get(2);
            float[] flat = x.toFloatArray();
            float[][] out = new float[t][];
            for (int i = 0; i < t; i++) {
                out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    static float[][] tokens(String text) {
        int[] ids = tok.encode(text);
        long[] row = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            row[i] = ids[i];
        }
        try (NDScope s = new NDScope(); NoGrad g = new NoGrad(); NDManager m = NDManager.newBaseManager()) {
            float[] flat = bridge.lm().embedTokens(m.create(row, new Shape(1, ids.length))).toFloatArray();
            int d = flat.length / ids.length;
            float[][] out = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    @Test
    void eachImageIsSplicedInPlace() {
        List<Segment> segs = Segment.interleave("<image> this is a red circle. <image> this is", List.of(a, b));
        assertEquals(4, segs.size());
        assertTrue(segs.get(0).isImage() && !segs.get(1).isImage() && segs.get(2).isImage());
        assertEquals("this is a red circle.", segs.get(1).text());
        int k = bridge.config().prefixTokens();
        float[][] x = rows(segs);
        float[][] t1 = tokens("this is a red circle.");
        float[][] t2 = tokens("this is");
        assertEquals(1 + k + t1.length + k + t2.length, x.length, "[sot] A text B text");
        float[][] alone = rows(List.of(Segment.image(a)));
        float[][] aloneB = rows(List.of(Segment.image(b)));
        assertArrayEquals(alone[0], x[0], 1e-6f, "sot");
        int p = 1;
        for (int i = 0; i < k; i++) {
            assertArrayEquals(alone[1 + i], x[p++], 1e-5f, "image A's prefix " + i);
        }
        for (float[] e : t1) {
            assertArrayEquals(e, x[p++], 1e-6f, "first text");
        }
        for (int i = 0; i < k; i++) {
            assertArrayEquals(aloneB[1 + i], x[p++], 1e-5f, "image B's prefix " + i);
        }
        for (float[] e : t2) {
            assertArrayEquals(e, x[p++], 1e-6f, "second text");
        }
    }

    @Test
    void orderMattersAndOneImageIsTheSingleImagePath() {
        String prompt = "<image> this is a red circle. <image> this is";
        float[] ab = bridge.nextTokenLogits(Segment.interleave(prompt, List.of(a, b)));
        float[] ba = bridge.nextTokenLogits(Segment.interleave(prompt, List.of(b, a)));
        double diff = 0;
        for (int i = 0; i < ab.length; i++) {
            diff = Math.max(diff, Math.abs(ab[i] - ba[i]));
        }
        assertTrue(diff > 1e-3, "A then B and B then A give the same logits: max difference " + diff);

        GenerationConfig greedy = GenerationConfig.greedy(6, java.util.Set.of());
        String q = "what colour is it?";
        String single = bridge.answer(a, 1, 32, 32, List.of(q), greedy).get(0);
        String spliced = bridge.generateInterleaved(List.of(Segment.image(a),
                Segment.text(bridge.config().questionPrompt(q))), greedy);
        assertEquals(single, spliced, "one <image> then the question prompt is the single-image path");
        String twoImages = bridge.generateInterleaved(Segment.interleave(prompt, List.of(a, b)), greedy);
        assertTrue(twoImages != null, "a two-image prompt generates");
    }

    @Test
    void badInterleavedInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Segment.interleave("<image> this is <image>", List.of(a)));
        assertTrue(e.getMessage().contains("2 <image> placeholder(s) but 1 image(s)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> bridge.nextTokenLogits(List.of(Segment.image(new float[12]))));
        assertTrue(e.getMessage().contains("3x32x32"), e.getMessage());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            many.append("<image> this is ");
        }
        List<float[]> imgs = java.util.Collections.nCopies(60, a);
        e = assertThrows(IllegalArgumentException.class,
                () -> bridge.nextTokenLogits(Segment.interleave(many.toString(), imgs)));
        assertTrue(e.getMessage().contains("positions"), e.getMessage());
    }
}
