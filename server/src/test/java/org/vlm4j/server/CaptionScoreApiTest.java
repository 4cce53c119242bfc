package org.vlm4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.index.TinyFixtures;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.VlmModel;
import org.vlm4j.nn.GenerationConfig;
import org.vlm4j.nn.Module;
import org.vlm4j.text.Tokenizer;

/**
 * /v1/caption and /v1/score on a model that offers them (a stand-in for CoCa: captions and scores computed from the
 * pixels it receives, so the test sees that the uploaded image reached it), and that such a model, which does not
 * embed, gets 501 for embedding, classification and search.
 */
class CaptionScoreApiTest {
    @TempDir
    Path tmp;

    /** Captions an image with its mean pixel value; scores a text by its length times that mean. */
    static final class MeanPixelModel implements VlmModel, Captioner, ImageTextScorer {
        final ImagePreprocessor pre = new ImagePreprocessor(ImagePreprocessor.PreprocessConfig.openaiClip(32));
        final List<Integer> calls = new ArrayList<>();

        static float mean(float[] pixels) {
            double s = 0;
            for (float p : pixels) {
                s += p;
            }
            return (float) (s / pixels.length);
        }

        @Override
        public ImagePreprocessor preprocessor() {
            return pre;
        }

        @Override
        public List<String> caption(float[] pixels, int n, int height, int width, GenerationConfig generation) {
            calls.add(n);
            return List.of(String.format(java.util.Locale.ROOT, "mean %.3f, %d tokens", mean(pixels),
                    generation.maxNewTokens()));
        }

        @Override
        public float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
            float[] s = new float[texts.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = texts.get(i).length() * mean(pixels);
            }
            return new float[][] {s};
        }

        @Override
        public String family() {
            return "mean-pixel";
        }

        @Override
        public Module module() {
            return null;
        }

        @Override
        public Object config() {
            return Map.of();
        }

        @Override
        public Tokenizer tokenizer() {
            return null;
        }

        @Override
        public void close() {}
    }

    @Test
    void captionAndScoreWhenTheModelCan() throws Exception {
        Path table = TinyFixtures.shapes(tmp.resolve("shapes"), 10, 31);
        Path img = table.getParent().resolve("images/train/000000.png");
        MeanPixelModel m = new MeanPixelModel();
        float mean = MeanPixelModel.mean(m.pre.preprocess(img));
        try (VlmServer s = VlmServer.start(m, "mean-pixel", null, ServerOptions.defaults().withPort(0))) {
            ApiTest.Reply model = ApiTest.get(s.uri(), "/v1/model");
            assertEquals(true, model.json().get("capabilities").get("caption").asBoolean());
            assertEquals(true, model.json().get("capabilities").get("score").asBoolean());
            assertEquals(false, model.json().get("capabilities").get("embed").asBoolean());

            ApiTest.Reply c = ApiTest.post(s.uri(), "/v1/caption", ApiTest.JSON.writeValueAsString(
                    Map.of("image", ApiTest.b64(img), "max_tokens", 7)));
            assertEquals(200, c.status(), new String(c.bytes()));
            assertEquals(String.format(java.util.Locale.ROOT, "mean %.3f, 7 tokens", mean),
                    c.json().get("caption").asText());
            assertEquals(List.of(1), m.calls);

            ApiTest.Reply sc = ApiTest.post(s.uri(), "/v1/score", ApiTest.JSON.writeValueAsString(
                    Map.of("image", ApiTest.b64(img), "texts", List.of("ab", "abcd"))));
            assertEquals(200, sc.status(), new String(sc.bytes()));
            assertEquals(2 * mean, sc.json().get("scores").get(0).asDouble(), 1e-5);
            assertEquals(4 * mean, sc.json().get("scores").get(1).asDouble(), 1e-5);

            ApiTest.assertError(ApiTest.post(s.uri(), "/v1/caption", "{\"image\": \"aGVsbG8=\"}"), 415, "image");
            ApiTest.assertError(ApiTest.post(s.uri(), "/v1/caption", ApiTest.JSON.writeValueAsString(
                    Map.of("image", ApiTest.b64(img), "max_tokens", 1000))), 400, "max_tokens");
            ApiTest.assertError(ApiTest.post(s.uri(), "/v1/score", ApiTest.JSON.writeValueAsString(
                    Map.of("image", ApiTest.b64(img)))), 400, "texts");
            ApiTest.assertError(ApiTest.post(s.uri(), "/v1/embed", "{\"texts\": [\"a\"]}"), 501, "cannot embed");
            ApiTest.assertError(ApiTest.post(s.uri(), "/v1/classify", "{}"), 501, "cannot classify");
            ApiTest.assertError(ApiTest.get(s.uri(), "/v1/search?q=x"), 501, "cannot search");
            ApiTest.assertError(ApiTest.get(s.uri(), "/v1/thumbnail?path=/x"), 404, "no index");
            assertTrue(ApiTest.get(s.uri(), "/v1/health").status() == 200);
        }
    }
}
