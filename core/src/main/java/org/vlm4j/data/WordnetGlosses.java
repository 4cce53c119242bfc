package org.vlm4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Short English definitions from a WordNet 3.0 database (Debian's {@code wordnet-base}, {@code /usr/share/wordnet}):
 * a real text corpus that is always at hand to pretrain a small language model on. A synset line of
 * {@code data.noun} (or {@code .verb}, {@code .adj}, {@code .adv}) ends with {@code | gloss}; the definition is the
 * gloss up to its first {@code ;} (what follows are usage examples). The licence header (lines starting with two
 * spaces) is skipped.
 */
public final class WordnetGlosses {
    /** Where Debian's wordnet-base puts the database. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/wordnet");

    private WordnetGlosses() {}

    /** True if Debian's {@code wordnet-base} is installed (its {@code data.noun} is there). */
    public static boolean available() {
        return Files.isRegularFile(DEBIAN_DIR.resolve("data.noun"));
    }

    /**
     * The definitions of every {@code stride}-th synset of {@code data.<pos>} (pos: noun, verb, adj, adv), at most
     * {@code max}, in file order.
     */
    public static List<String> read(Path dir, String pos, int stride, int max) throws IOException {
        Path file = dir.resolve("data." + pos);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such WordNet data file (install wordnet-base)");
        }
        if (stride < 1 || max < 1) {
            throw new IllegalArgumentException("stride and max must be positive, got " + stride + " and " + max);
        }
        List<String> out = new ArrayList<>();
        int synset = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null && out.size() < max; line = r.readLine()) {
                int bar = line.indexOf(" | ");
                if (line.startsWith("  ") || bar < 0) {
                    continue;
                }
                if (synset++ % stride != 0) {
                    continue;
                }
                String gloss = line.substring(bar + 3);
                int semi = gloss.indexOf(';');
                String def = (semi >= 0 ? gloss.substring(0, semi) : gloss).strip();
                if (!def.isEmpty()) {
                    out.add(def);
                }
            }
        }
        return out;
    }
}
