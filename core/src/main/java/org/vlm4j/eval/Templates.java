package org.vlm4j.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt templates for zero-shot classification: {@code {}} marks where the class name goes.
 *
 * <p>Built in: OpenAI CLIP's 80 ImageNet templates ({@link #openaiImagenet()}, OpenCLIP's
 * {@code OPENAI_IMAGENET_TEMPLATES}) and their 7-template subset ({@link #simpleImagenet()}, OpenCLIP's
 * {@code SIMPLE_IMAGENET_TEMPLATES}), in OpenCLIP's order (order matters only for floating-point rounding of the
 * mean). They are the resource files {@code openai_imagenet_templates.txt} and {@code simple_imagenet_templates.txt}
 * beside this class (provenance and MIT licence in {@code imagenet_templates.LICENSE.txt}), read by the same parser
 * as a user's file.
 *
 * <p>A template file has one template per line, UTF-8; blank lines are skipped, a trailing {@code \r} is dropped,
 * nothing else is trimmed; every template must contain {@code {}}.
 */
public final class Templates {
    public static final String OPENAI_IMAGENET = "imagenet80";
    public static final String SIMPLE_IMAGENET = "simple";

    private static final List<String> OPENAI = builtIn("openai_imagenet_templates.txt");
    private static final List<String> SIMPLE = builtIn("simple_imagenet_templates.txt");

    private Templates() {}

    /** OpenAI CLIP's 80 ImageNet templates, "a bad photo of a {}." ... "a tattoo of the {}.". */
    public static List<String> openaiImagenet() {
        return OPENAI;
    }

    /** The 7-template subset, "itap of a {}." ... "a photo of the small {}.". */
    public static List<String> simpleImagenet() {
        return SIMPLE;
    }

    /** Templates from a file: one per line (see the class comment). */
    public static List<String> load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        }
    }

    /**
     * {@value #OPENAI_IMAGENET} (also "openai"), {@value #SIMPLE_IMAGENET}, a template file's path, or one literal
     * template containing {@code {}} (when no file has that name).
     */
    public static List<String> resolve(String spec) throws IOException {
        return switch (spec) {
            case OPENAI_IMAGENET, "openai" -> openaiImagenet();
            case SIMPLE_IMAGENET -> simpleImagenet();
            default -> spec.contains("{}") && !java.nio.file.Files.exists(Path.of(spec)) ? List.of(spec)
                    : load(Path.of(spec));
        };
    }

    static List<String> parse(Reader reader, String source) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<String> out = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            if (!line.contains("{}")) {
                throw new IllegalArgumentException(source + ":" + n + ": template '" + line
                        + "' has no {} placeholder for the class name");
            }
            out.add(line);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no templates");
        }
        return List.copyOf(out);
    }

    private static List<String> builtIn(String name) {
        try (InputStream in = Templates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
