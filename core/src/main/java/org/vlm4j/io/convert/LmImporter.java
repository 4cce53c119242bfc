package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.text.HfJsonTokenizer;
import org.vlm4j.text.Tokenizer;

/** Builds {@link LanguageModel}s from HuggingFace causal-LM checkpoints ({@code model.safetensors} + config.json). */
public final class LmImporter {
    public enum Format { GPT2, LLAMA }

    private LmImporter() {}

    /** The format of that name (gpt2, llama), or null when it is not a language-model format. */
    public static Format formatOrNull(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "gpt2", "gpt-2" -> Format.GPT2;
            case "llama" -> Format.LLAMA;
            default -> null;
        };
    }

    /**
     * The tokenizer files of a checkpoint: a {@code tokenizer.json} (any format; a file, or a directory holding one),
     * else for GPT-2 its {@code vocab.json} + {@code merges.txt} (the vocab file, or their directory).
     */
    public static Tokenizer tokenizer(Format format, Path p) {
        Path dir = java.nio.file.Files.isDirectory(p) ? p : p.getParent();
        String name = p.getFileName().toString();
        if (name.equals(HfJsonTokenizer.FILE) || (java.nio.file.Files.isDirectory(p)
                && java.nio.file.Files.isRegularFile(p.resolve(HfJsonTokenizer.FILE)))) {
            return HfJsonTokenizer.fromFile(java.nio.file.Files.isDirectory(p) ? p.resolve(HfJsonTokenizer.FILE) : p);
        }
        if (format == Format.GPT2) {
            return ClipBpeTokenizer.fromGpt2(dir.resolve(ClipBpeTokenizer.HF_VOCAB_FILE),
                    dir.resolve(ClipBpeTokenizer.HF_MERGES_FILE));
        }
        throw new IllegalArgumentException(p + ": expected a " + HfJsonTokenizer.FILE + " (or a directory holding one)");
    }

    public static LmConfig config(Format format, Path configFile) throws IOException {
        JsonNode json = ClipImporter.readJson(configFile);
        return format == Format.GPT2 ? HfLmConfigs.gpt2(json, configFile.toString())
                : HfLmConfigs.llama(json, configFile.toString());
    }

    /**
     * Reads the checkpoint (F16 / BF16 widened to F32 in Java) into a new model; the tokenizer may be null (ids only).
     * Missing, mis-shaped and unexpected keys are errors naming the file and key.
     */
    public static LanguageModel load(Format format, Path weights, Path configFile, Tokenizer tokenizer)
            throws IOException {
        LmConfig config = config(format, configFile);
        LanguageModel model = new LanguageModel(config, tokenizer, 0);
        try (SafeTensors st = SafeTensors.open(weights)) {
            Map<String, TensorData> foreign = new LinkedHashMap<>();
            for (String n : st.names()) {
                foreign.put(n, st.get(n));
            }
            KeyMap keys = format == Format.GPT2 ? new HfGpt2Keys(HfGpt2Keys.prefixOf(foreign.keySet()))
                    : new HfLlamaKeys(config.decoder());
            keys.importInto(model, foreign, weights.toString());
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
