package org.vlm4j.model.contrastive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.convert.ClipImporter;
import org.vlm4j.nn.NoGrad;
import org.vlm4j.testing.Fixtures;

/** Our CLIP / sigmoid CLIP against the real OpenCLIP outputs in the fixtures (1e-4 absolute). */
class ClipParityTest {
    static final double TOL = 1e-4;

    static float[][] rows(float[] flat, int n) {
        int d = flat.length / n;
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"peer-tiny-clip", "peer-tiny-sigmoid"})
    void featuresAndLogitsMatchOpenClip(String name) throws Exception {
        JsonNode expected = Fixtures.json(name + "/expected.json").get("f32");
        long[][] ids = Fixtures.longMatrix(Fixtures.json(name + "/tokens.json").get("token_ids"));
        float[] pixels = SafeTensors.readAll(Fixtures.openclip("tiny_images.safetensors")).get("images").toFloats();
        Path cfg = Fixtures.openclip("model_configs/" + name + ".json");
        try (Clip model = ClipImporter.load(ClipImporter.Format.OPENCLIP, Fixtures.openclip(name + "/model.safetensors"),
                cfg, null)) {
            assertEquals(name.endsWith("sigmoid") ? SigLip.FAMILY : Clip.FAMILY, model.family());
            try (NDManager m = model.manager().newSubManager(); NoGrad g = new NoGrad()) {
                NDArray img = model.imageFeatures(m.create(pixels, new Shape(4, 3, 32, 32)));
                NDArray txt = model.textFeatures(m.create(flatten(ids), new Shape(4, ids[0].length)));
                double dImg = Fixtures.maxAbsDiff(rows(img.toFloatArray(), 4),
                        Fixtures.matrix(expected.get("image_features_unnormalized")));
                double dTxt = Fixtures.maxAbsDiff(rows(txt.toFloatArray(), 4),
                        Fixtures.matrix(expected.get("text_features_unnormalized")));
                assertTrue(dImg < TOL, "image features differ by " + dImg);
                assertTrue(dTxt < TOL, "text features differ by " + dTxt);
            }
            float[][] imgN = model.encodePixels(pixels, 4, 32, 32);
            float[][] txtN = model.encodeTokenIds(ids);
            assertTrue(Fixtures.maxAbsDiff(imgN, Fixtures.matrix(expected.get("image_features"))) < TOL);
            assertTrue(Fixtures.maxAbsDiff(txtN, Fixtures.matrix(expected.get("text_features"))) < TOL);
            assertEquals(expected.get("logit_scale_exp").asDouble(), model.logitScaleExp(), 1e-5);
            float[][] logits = model.logits(imgN, txtN);
            double dLog = Fixtures.maxAbsDiff(logits, Fixtures.matrix(expected.get("logits_per_image")));
            assertTrue(dLog < TOL, "logits differ by " + dLog);
        }
    }

    static long[] flatten(long[][] a) {
        long[] out = new long[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }
}
