package org.vlm4j.server;

import java.util.Base64;
import java.util.List;
import org.vlm4j.image.ImageDecodeException;
import org.vlm4j.image.ImageDecoder;
import org.vlm4j.image.ImagePreprocessor;

/**
 * Turns uploaded images (base64, optionally a {@code data:image/...;base64,} URL, or raw bytes) into model pixels,
 * refusing too many pixels before decoding (decompression bombs: 413) and anything that is not an image (415).
 */
final class ImageInputs {
    /**
     * Decodes at a time, server-wide: a decoded upload may take width x height x 3 bytes and more (50 MB at the
     * default 16.7 M pixel limit), so many concurrent uploads must not all be decoded at once.
     */
    private static final java.util.concurrent.Semaphore DECODES = new java.util.concurrent.Semaphore(
            Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));

    private final ImagePreprocessor pre;
    private final ImageDecoder decoder;

    ImageInputs(ImagePreprocessor modelPre, long maxPixels) {
        this.decoder = new ImageDecoder(maxPixels);
        this.pre = new ImagePreprocessor(modelPre.config(), decoder);
    }

    int size() {
        return pre.config().size();
    }

    static byte[] base64(String field, String value) {
        String b64 = value;
        if (b64.startsWith("data:")) {
            int comma = b64.indexOf(',');
            if (comma < 0 || !b64.substring(0, comma).endsWith(";base64")) {
                throw ApiException.badRequest("field '" + field + "': a data URL must be base64 (data:image/png;base64,...)");
            }
            b64 = b64.substring(comma + 1);
        }
        try {
            return Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field '" + field + "' is not valid base64: " + e.getMessage());
        }
    }

    /** One image's pixels [3, size, size]. */
    float[] pixels(String name, byte[] bytes) {
        try {
            DECODES.acquireUninterruptibly();
            try {
                return pre.preprocess(decoder.decode(bytes, name));
            } finally {
                DECODES.release();
            }
        } catch (ImageDecodeException e) {
            String msg = e.getMessage();
            if (msg.contains("decompression bomb")) {
                throw ApiException.tooLarge(msg);
            }
            throw new ApiException(415, msg);
        } catch (IllegalArgumentException e) {
            throw new ApiException(415, name + ": " + e.getMessage());
        }
    }

    /** Several images, concatenated [n, 3, size, size]. */
    float[] pixels(String field, List<String> base64s) {
        int per = pre.imageFloats();
        float[] all = new float[base64s.size() * per];
        for (int i = 0; i < base64s.size(); i++) {
            String name = field + "[" + i + "]";
            System.arraycopy(pixels(name, base64(name, base64s.get(i))), 0, all, i * per, per);
        }
        return all;
    }
}
