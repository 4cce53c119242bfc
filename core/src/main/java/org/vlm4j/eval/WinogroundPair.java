package org.vlm4j.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * One row of a Winoground table: two images and two captions made of the same words, caption {@code text0} belongs
 * to {@code image0} and {@code text1} to {@code image1}; {@code meta} holds the other columns ({@code kind},
 * {@code heldout}, ...).
 */
public record WinogroundPair(Path image0, Path image1, String text0, String text1, Map<String, String> meta) {
    public String kind() {
        return meta.getOrDefault("kind", "");
    }
}
