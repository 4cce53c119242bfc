package org.vlm4j.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vlm4j.io.AtomicFiles;

/**
 * A HuggingFace {@code tokenizer.json} (Llama, Mistral, Qwen, ... and any other model the Rust tokenizers library
 * reads) through DJL's binding, which bundles the native library and runs offline. {@link #encode} adds no special
 * tokens; the start, end and padding ids are the {@code bos_token}, {@code eos_token} and {@code pad_token} of a
 * {@code tokenizer_config.json} beside the file when there is one, else the first of the usual names found among the
 * special added tokens ({@code <s>}, {@code <|begin_of_text|>}, ... / {@code </s>}, {@code <|endoftext|>}, ...);
 * padding defaults to the end id.
 */
public final class HfJsonTokenizer implements Tokenizer {
    public static final String FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    private static final List<String> STARTS = List.of("<s>", "<|begin_of_text|>", "<|startoftext|>", "<bos>",
            "[CLS]", "<|endoftext|>");
    private static final List<String> ENDS = List.of("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "[SEP]",
            "<|im_end|>");

    private final byte[] json;
    private final byte[] config;
    private final HuggingFaceTokenizer hf;
    private final int vocabSize;
    private final int sot;
    private final int eot;
    private final int pad;

    private HfJsonTokenizer(byte[] json, byte[] config, String source) throws IOException {
        this.json = json;
        this.config = config;
        ObjectMapper om = new ObjectMapper();
        JsonNode root;
        try {
            root = om.readTree(json);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(source + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() && !vocab.isArray()) {
            throw new IllegalArgumentException(source + ": no model.vocab (is this a HuggingFace tokenizer.json?)");
        }
        Map<String, Integer> ids = new java.util.HashMap<>();
        int max = -1;
        if (vocab.isObject()) {
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                ids.put(e.getKey(), e.getValue().asInt());
                max = Math.max(max, e.getValue().asInt());
            }
        } else { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
            max = vocab.size() - 1;
        }
        for (JsonNode t : root.path("added_tokens")) {
            ids.put(t.path("content").asText(), t.path("id").asInt());
            max = Math.max(max, t.path("id").asInt());
        }
        this.vocabSize = max + 1;
        JsonNode cfg = config == null ? om.createObjectNode() : om.readTree(config);
        this.sot = special(cfg, "bos_token", STARTS, ids, source);
        this.eot = special(cfg, "eos_token", ENDS, ids, source);
        int p = special(cfg, "pad_token", List.of(), ids, source);
        this.pad = p >= 0 ? p : eot;
        if (sot < 0 || eot < 0) {
            throw new IllegalArgumentException(source + ": cannot tell the start and end tokens (no " + CONFIG_FILE
                    + " with bos_token / eos_token, and none of " + STARTS + " / " + ENDS + " in the vocabulary)");
        }
        this.hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), Map.of("addSpecialTokens", "false"));
    }

    private static int special(JsonNode cfg, String field, List<String> fallback, Map<String, Integer> ids,
                               String source) {
        JsonNode n = cfg.get(field);
        String name = n == null || n.isNull() ? null : n.isObject() ? n.path("content").asText() : n.asText();
        if (name != null) {
            Integer id = ids.get(name);
            if (id == null) {
                throw new IllegalArgumentException(source + ": " + CONFIG_FILE + " names " + field + " '" + name
                        + "', which is not in the vocabulary");
            }
            return id;
        }
        for (String f : fallback) {
            if (ids.containsKey(f)) {
                return ids.get(f);
            }
        }
        return -1;
    }

    /** Reads {@code tokenizer.json} (and {@code tokenizer_config.json} beside it, if present). */
    public static HfJsonTokenizer fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": tokenizer file does not exist");
        }
        try {
            Path cfg = file.resolveSibling(CONFIG_FILE);
            return new HfJsonTokenizer(Files.readAllBytes(file), Files.isRegularFile(cfg) ? Files.readAllBytes(cfg)
                    : null, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The tokenizer saved in a directory by {@link #save}. */
    public static HfJsonTokenizer load(Path dir) {
        return fromFile(dir.resolve(FILE));
    }

    @Override
    public int[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Special tokens (start, end, padding) are skipped, as HF's {@code decode(..., skip_special_tokens=True)}. */
    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("id " + ids[i] + " is not in the vocabulary (size " + vocabSize
                        + ")");
            }
            l[i] = ids[i];
        }
        return hf.decode(l, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int sotId() {
        return sot;
    }

    @Override
    public int eotId() {
        return eot;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeBytes(dir.resolve(FILE), json);
            if (config != null) {
                AtomicFiles.writeBytes(dir.resolve(CONFIG_FILE), config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer into " + dir, e);
        }
    }
}
