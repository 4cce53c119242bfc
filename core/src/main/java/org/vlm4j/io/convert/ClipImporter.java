package org.vlm4j.io.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.io.SafeTensors;
import org.vlm4j.io.TensorData;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.text.Tokenizer;

/** Builds CLIP / SigLIP models from OpenCLIP or HuggingFace checkpoints (safetensors + config JSON), and exports them. */
public final class ClipImporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Format { OPENCLIP, HF }

    private ClipImporter() {}

    public static Format parseFormat(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "openclip", "open_clip" -> Format.OPENCLIP;
            case "hf", "huggingface" -> Format.HF;
            default -> throw new IllegalArgumentException("unknown format '" + s + "' (openclip, hf; language models: gpt2, llama)");
        };
    }

    public static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": config file does not exist");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    public static ClipConfig config(Format format, Path configFile) throws IOException {
        JsonNode json = readJson(configFile);
        return format == Format.OPENCLIP ? OpenClipConfigs.toClipConfig(json, configFile.toString())
                : HfClipConfigs.toClipConfig(json, configFile.toString());
    }

    public static KeyMap keyMap(Format format, ClipConfig config) {
        return format == Format.OPENCLIP ? new OpenClipKeys()
                : new HfClipKeys(HfClipConfigs.hasSiglipLayout(config), config.vision().width());
    }

    /** Reads the checkpoint and returns a model holding its weights (F16 / BF16 widened to F32 in Java). */
    public static Clip load(Format format, Path weights, Path configFile, Tokenizer tokenizer) throws IOException {
        ClipConfig config = config(format, configFile);
        if (tokenizer != null && tokenizer.vocabSize() != config.text().vocabSize()) {
            throw new IllegalArgumentException(configFile + ": text vocab_size " + config.text().vocabSize()
                    + " does not match the tokenizer's " + tokenizer.vocabSize());
        }
        Clip model = SigLip.create(config, tokenizer, 0);
        try (SafeTensors st = SafeTensors.open(weights)) {
            Map<String, TensorData> foreign = new LinkedHashMap<>();
            for (String n : st.names()) {
                foreign.put(n, st.get(n));
            }
            keyMap(format, config).importInto(model, foreign, weights.toString());
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** Writes {@code model.safetensors} and {@code config.json} in the foreign layout into dir. */
    public static void export(Clip model, Format format, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, TensorData> tensors = keyMap(format, model.config()).export(model);
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        JsonNode cfg = format == Format.HF ? HfClipConfigs.fromClipConfig(model.config())
                : OpenClipConfigs.fromClipConfig(model.config());
        AtomicFiles.writeString(dir.resolve(format == Format.HF ? "config.json" : "open_clip_config.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
    }
}
