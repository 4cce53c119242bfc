package org.vlm4j.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the tokenizer saved in a model directory's {@code tokenizer/} folder, by the type named in config.json. */
public final class Tokenizers {
    public static final String CLIP_BPE = "clip_bpe";

    private Tokenizers() {}

    public static Tokenizer load(String type, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": tokenizer directory does not exist");
        }
        if (type.equals(CLIP_BPE)) {
            return ClipBpeTokenizer.load(dir);
        }
        throw new IllegalArgumentException(dir + ": unknown tokenizer type '" + type + "' (clip_bpe)");
    }

    public static String typeOf(Tokenizer t) {
        if (t instanceof ClipBpeTokenizer) {
            return CLIP_BPE;
        }
        throw new IllegalArgumentException("no saved form for tokenizer " + t.getClass().getName());
    }
}
