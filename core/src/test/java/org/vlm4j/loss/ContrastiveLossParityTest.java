package org.vlm4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.convert.ClipImporter;
import org.vlm4j.io.convert.OpenClipKeys;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.nn.Param;
import org.vlm4j.testing.Fixtures;

/**
 * Both contrastive losses and their gradients (through the whole model, by DJL autograd) against OpenCLIP's
 * ClipLoss / SigLipLoss values and per-parameter gradient norms on the fixture models.
 */
class ContrastiveLossParityTest {

    @ParameterizedTest
    @CsvSource({"peer-tiny-clip,clip_loss", "peer-tiny-clip,siglip_loss", "peer-tiny-sigmoid,clip_loss",
            "peer-tiny-sigmoid,siglip_loss"})
    void lossAndGradientNormsMatchOpenClip(String name, String lossName) throws Exception {
        JsonNode expected = Fixtures.json(name + "/expected.json").get("f32");
        long[][] ids = Fixtures.longMatrix(Fixtures.json(name + "/tokens.json").get("token_ids"));
        float[] pixels = SafeTensors.readAll(Fixtures.openclip("tiny_images.safetensors")).get("images").toFloats();
        try (Clip model = ClipImporter.load(ClipImporter.Format.OPENCLIP, Fixtures.openclip(name + "/model.safetensors"),
                Fixtures.openclip("model_configs/" + name + ".json"), null);
             NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            for (Param p : model.namedParams().values()) {
                p.array().setRequiresGradient(true);
            }
            float lossValue;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray img = Clip.normalize(model.imageFeatures(m.create(pixels, new Shape(4, 3, 32, 32))));
                long[] flat = new long[ids.length * ids[0].length];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(ids[i], 0, flat, i * ids[0].length, ids[0].length);
                }
                NDArray txt = Clip.normalize(model.textFeatures(m.create(flat, new Shape(ids.length, ids[0].length))));
                NDArray bias = model.logitBias() == null ? null : model.logitBias().array();
                NDArray loss = lossName.equals("clip_loss") ? InfoNce.loss(img, txt, model.logitScale().array())
                        : SigmoidLoss.loss(img, txt, model.logitScale().array(), bias);
                lossValue = loss.getFloat();
                gc.backward(loss);
            }
            assertEquals(expected.get(lossName).asDouble(), lossValue, 1e-5, lossName);

            OpenClipKeys keys = new OpenClipKeys();
            double total = 0;
            Map<String, Param> params = model.namedParams();
            JsonNode norms = expected.get("grad_norms").get(lossName);
            int checked = 0;
            for (Map.Entry<String, Param> e : params.entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                double norm = g.norm().getFloat();
                total += norm * norm;
                String theirs = keys.recipe(e.getKey()).sources().get(0);
                if (norms.has(theirs)) {
                    double want = norms.get(theirs).asDouble();
                    assertEquals(want, norm, 1e-4 + 1e-4 * want, "grad norm of " + e.getKey() + " (" + theirs + ")");
                    checked++;
                }
            }
            assertEquals(norms.size() - 1, checked, "every named parameter of the fixture compared");
            assertNotNull(norms.get("__all_params__"));
            double all = norms.get("__all_params__").asDouble();
            assertEquals(all, Math.sqrt(total), 1e-4 * all, "global gradient norm");
        }
    }
}
