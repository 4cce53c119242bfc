package org.vlm4j.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextEncoder;

/**
 * An {@link ImageTextEncoder} with chosen answers: texts and image files map to given vectors (normalised here, as
 * the interface promises), logits = scale * dot. Unknown texts fall back to a vector derived from the text's hash,
 * or fail when {@code strict}. Records every encodeTexts call.
 */
final class StubEncoder implements ImageTextEncoder {
    final int dim;
    final float scale;
    final boolean strict;
    final Map<String, float[]> texts = new HashMap<>();
    final Map<Path, float[]> images = new HashMap<>();
    final List<List<String>> textCalls = new ArrayList<>();

    StubEncoder(int dim, float scale, boolean strict) {
        this.dim = dim;
        this.scale = scale;
        this.strict = strict;
    }

    StubEncoder text(String text, float... v) {
        texts.put(text, ZeroShotClassifier.normalize(v));
        return this;
    }

    StubEncoder image(Path file, float... v) {
        images.put(file, ZeroShotClassifier.normalize(v));
        return this;
    }

    @Override
    public int embedDim() {
        return dim;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public float[][] encodeImageFiles(List<Path> files) {
        float[][] out = new float[files.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = images.get(files.get(i));
            if (v == null) {
                throw new IllegalArgumentException("stub has no image " + files.get(i));
            }
            out[i] = v.clone();
        }
        return out;
    }

    @Override
    public float[][] encodePixels(float[] pixels, int n, int height, int width) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public float[][] encodeTexts(List<String> list) {
        textCalls.add(List.copyOf(list));
        float[][] out = new float[list.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = texts.get(list.get(i));
            if (v == null) {
                if (strict) {
                    throw new IllegalArgumentException("stub has no text '" + list.get(i) + "'");
                }
                v = hashed(list.get(i));
            }
            out[i] = v.clone();
        }
        return out;
    }

    float[] hashed(String text) {
        java.util.Random r = new java.util.Random(text.hashCode());
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) r.nextGaussian();
        }
        return ZeroShotClassifier.normalize(v);
    }

    @Override
    public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
        float[][] out = new float[imageEmbeds.length][textEmbeds.length];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < textEmbeds.length; j++) {
                float s = 0;
                for (int d = 0; d < dim; d++) {
                    s += imageEmbeds[i][d] * textEmbeds[j][d];
                }
                out[i][j] = scale * s;
            }
        }
        return out;
    }
}
