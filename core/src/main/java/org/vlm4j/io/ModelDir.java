package org.vlm4j.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.vlm4j.model.ComposedModel;
import org.vlm4j.model.Families;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.text.Tokenizers;

/**
 * A model directory: {@code config.json} (family + architecture + tokenizer type), {@code model.safetensors}
 * (our key names) and {@code tokenizer/}. Saving builds the directory beside the target and renames it into place,
 * so an interrupted save never leaves a half-written model.
 */
public final class ModelDir {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer";
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelDir() {}

    public static void save(VlmModel model, Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
        try {
            ObjectNode cfg = JSON.valueToTree(model.config());
            cfg.put("family", model.family());
            if (model.tokenizer() != null) {
                cfg.put("tokenizer", Tokenizers.typeOf(model.tokenizer()));
                model.tokenizer().save(tmp.resolve(TOKENIZER));
            }
            AtomicFiles.writeString(tmp.resolve(CONFIG), JSON.writeValueAsString(cfg));
            StateDict.save(model.module(), tmp.resolve(WEIGHTS), Map.of("family", model.family()));
            if (model instanceof ComposedModel composed) {
                for (Map.Entry<String, VlmModel> part : composed.parts().entrySet()) {
                    save(part.getValue(), tmp.resolve(part.getKey()));
                }
            }
            replace(tmp, abs);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    /** Moves the fresh directory into place; an existing one is moved aside first and removed after. */
    private static void replace(Path fresh, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            AtomicFiles.deleteTree(old);
        }
    }


    public static JsonNode readConfig(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": model directory does not exist");
        }
        if (!Files.isRegularFile(cfg)) {
            throw new IllegalArgumentException(cfg + ": missing (is " + dir + " a vlm4j model directory?)");
        }
        try {
            return JSON.readTree(cfg.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(cfg + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /** Fills the {@link JsonDefault} fields a config lacks, in this record and the records it holds. */
    private static JsonNode withDefaults(JsonNode json, Class<?> type) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (!type.isRecord() || !(json instanceof com.fasterxml.jackson.databind.node.ObjectNode obj)) {
            return json;
        }
        for (java.lang.reflect.RecordComponent rc : type.getRecordComponents()) {
            com.fasterxml.jackson.annotation.JsonProperty jp = rc.getAccessor()
                    .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class); // propagated to the accessor
            String name = jp != null && !jp.value().isEmpty() ? jp.value() : rc.getName();
            JsonDefault d = rc.getAnnotation(JsonDefault.class);
            if (d != null && !obj.has(name)) {
                obj.set(name, JSON.readTree(d.value()));
            } else if (obj.has(name)) {
                withDefaults(obj.get(name), rc.getType());
            }
        }
        return obj;
    }

    /** Reads a config record, turning Jackson's errors into one line naming the file and the field. */
    public static <T> T parse(JsonNode json, Class<T> type, Path file) {
        try {
            return JSON.treeToValue(withDefaults(json.deepCopy(), type), type);
        } catch (MismatchedInputException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
            String field = e.getOriginalMessage().contains("Missing required creator property")
                    ? e.getOriginalMessage().replaceAll(".*property '([^']*)'.*", "$1") : null;
            String where = field == null ? path : (path.isEmpty() ? field : path + "." + field);
            throw new IllegalArgumentException(file + ": " + (field != null ? "missing field '" + where + "'"
                    : "bad value at '" + where + "': " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(file + ": " + c.getMessage().lines().findFirst().orElse(""));
        } catch (IllegalArgumentException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(file + ": " + c.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * Reads a config of any family: its {@code family} field picks the record class ({@link Families}); errors name
     * the file and the field.
     */
    public static Object parseConfig(JsonNode cfg, Path cfgFile) {
        JsonNode family = cfg.get("family");
        if (family == null) {
            throw new IllegalArgumentException(cfgFile + ": missing field 'family'");
        }
        Families.Family<?> f;
        try {
            f = Families.family(family.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfgFile + ": " + e.getMessage());
        }
        return parse(cfg, f.configClass(), cfgFile);
    }

    public static VlmModel load(Path dir) throws IOException {
        JsonNode cfg = readConfig(dir);
        Path cfgFile = dir.resolve(CONFIG);
        Object config = parseConfig(cfg, cfgFile);
        Tokenizer tokenizer = cfg.hasNonNull("tokenizer")
                ? Tokenizers.load(cfg.get("tokenizer").asText(), dir.resolve(TOKENIZER)) : null;
        VlmModel model = Families.family(cfg.get("family").asText()).create(config, tokenizer, 0);
        try {
            Path weights = dir.resolve(WEIGHTS);
            if (!Files.isRegularFile(weights)) {
                throw new IllegalArgumentException(weights + ": missing");
            }
            StateDict.load(model.module(), weights);
            if (model instanceof ComposedModel composed) {
                for (String part : composed.requiredParts()) {
                    Path sub = dir.resolve(part);
                    if (!Files.isDirectory(sub)) {
                        throw new IllegalArgumentException(sub + ": missing (this " + model.family() + " model's"
                                + " config names a '" + part + "' model directory inside its own)");
                    }
                    VlmModel loaded = load(sub);
                    try {
                        composed.attachPart(part, loaded);
                    } catch (RuntimeException e) {
                        loaded.close();
                        throw new IllegalArgumentException(sub + ": " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
