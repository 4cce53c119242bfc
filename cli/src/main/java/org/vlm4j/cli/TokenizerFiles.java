package org.vlm4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.text.Tokenizer;

/**
 * Resolves a --tokenizer argument: a vocabulary file, an HF vocab.json, a directory, or the bundled CLIP vocabulary
 * (no argument, or the word {@code clip} where no such file exists).
 */
final class TokenizerFiles {
    private TokenizerFiles() {}

    static Tokenizer load(Path p) throws IOException {
        if (p == null || (p.toString().equals("clip") && !Files.exists(p))) {
            return ClipBpeTokenizer.bundled();
        }
        if (Files.isDirectory(p)) {
            return ClipBpeTokenizer.load(p);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": tokenizer file does not exist");
        }
        String name = p.getFileName().toString();
        if (name.endsWith(".json")) {
            Path merges = p.resolveSibling("merges.txt");
            if (!Files.isRegularFile(merges)) {
                throw new IllegalArgumentException(p + ": an HF vocab.json needs merges.txt beside it (" + merges + ")");
            }
            return ClipBpeTokenizer.fromHf(p, merges);
        }
        return ClipBpeTokenizer.fromOpenClipVocab(p);
    }
}
