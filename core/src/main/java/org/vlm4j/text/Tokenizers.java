package org.vlm4j.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the tokenizer saved in a model directory's {@code tokenizer/} folder, by the type named in config.json. */
public final class Tokenizers {
    public static final String CLIP_BPE = "clip_bpe";
    /** GPT-2's byte-level BPE (vocab.json + merges.txt read by {@link ClipBpeTokenizer#fromGpt2}). */
    public static final String GPT2_BPE = "gpt2_bpe";
    /** A HuggingFace tokenizer.json ({@link HfJsonTokenizer}). */
    public static final String HF_JSON = "hf_json";

    private Tokenizers() {}

    public static Tokenizer load(String type, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": tokenizer directory does not exist");
        }
        if (type.equals(CLIP_BPE)) {
            return ClipBpeTokenizer.load(dir);
        }
        if (type.equals(GPT2_BPE)) {
            return ClipBpeTokenizer.loadGpt2(dir);
        }
        if (type.equals(HF_JSON)) {
            return HfJsonTokenizer.load(dir);
        }
        throw new IllegalArgumentException(dir + ": unknown tokenizer type '" + type + "' (clip_bpe, gpt2_bpe, hf_json)");
    }

    public static String typeOf(Tokenizer t) {
        if (t instanceof ClipBpeTokenizer c) {
            return c.gpt2() ? GPT2_BPE : CLIP_BPE;
        }
        if (t instanceof HfJsonTokenizer) {
            return HF_JSON;
        }
        throw new IllegalArgumentException("no saved form for tokenizer " + t.getClass().getName());
    }
}
