package org.vlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.Captioner;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.ImageTextScorer;
import org.vlm4j.model.ImageTokenizer;
import org.vlm4j.model.VlmModel;

/** What the commands share: engine start-up, model loading with capability checks, JSON output. */
final class Cli {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Cli() {}

    static String engineLine() {
        return Vlm4jEngine.init().summary();
    }

    static VlmModel load(Path dir) throws IOException {
        Vlm4jEngine.init();
        return ModelDir.load(dir);
    }

    static ImageTextEncoder encoder(VlmModel model, Path dir) {
        if (model instanceof ImageTextEncoder e) {
            return e;
        }
        throw new IllegalArgumentException(dir + ": a " + model.family() + " model cannot embed images and texts");
    }

    static ImageTokenizer imageTokenizer(VlmModel model, Path dir) {
        if (model instanceof ImageTokenizer t) {
            return t;
        }
        throw new IllegalArgumentException(dir + ": a " + model.family() + " model cannot turn images into codes");
    }

    static Captioner captioner(VlmModel model, Path dir) {
        if (model instanceof Captioner c) {
            return c;
        }
        throw new IllegalArgumentException(dir + ": a " + model.family() + " model cannot write captions");
    }

    static ImageTextScorer scorer(VlmModel model, Path dir) {
        if (model instanceof ImageTextScorer s) {
            return s;
        }
        throw new IllegalArgumentException(dir + ": a " + model.family() + " model cannot score image-text pairs");
    }

    static void printJson(PrintWriter out, Object value) throws IOException {
        out.println(JSON.writeValueAsString(value));
        out.flush();
    }
}
