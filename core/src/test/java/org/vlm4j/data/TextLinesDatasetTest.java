package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text files as datasets without images, and the loader's text-only mode (no preprocessor, no pixels). */
class TextLinesDatasetTest {
    @TempDir
    Path dir;

    @Test
    void linesAreEntriesBlankOnesIgnoredBadOnesSkipped() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        b.write("first text\n\n  second text  \r\n".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {'b', 'a', 'd', (byte) 0xFF, '\n'});
        b.write("third\n".getBytes(StandardCharsets.UTF_8));
        Path f = dir.resolve("t.txt");
        Files.write(f, b.toByteArray());
        TextLinesDataset d = TextLinesDataset.open(f);
        assertEquals(ImageTextDataset.Kind.TEXT, d.kind());
        assertEquals(4, d.size().getAsLong(), "three texts and one undecodable line");
        assertEquals(List.of("first text", "second text", "third"), d.captions(10));

        try (BatchLoader loader = new BatchLoader(d, null, BatchLoader.Options.sequential(2).withEpochs(1))) {
            Batch first = loader.next();
            assertEquals(0, first.pixels().length, "no pixels for a text-only loader");
            assertEquals(List.of("first text", "second text"), first.captions());
            assertEquals(List.of("third"), loader.next().captions());
            assertEquals(null, loader.next());
            assertEquals(Map.of("caption_not_utf8", 1L), loader.skipped());
        }
        // shuffled and endless, as training reads it: every text comes back each epoch
        try (BatchLoader loader = new BatchLoader(d, null, BatchLoader.Options.training(3, 5))) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.addAll(loader.next().captions());
            }
            assertEquals(new HashSet<>(List.of("first text", "second text", "third")), new HashSet<>(seen));
        }
    }

    @Test
    void missingOrEmptyFilesAreNamed() throws Exception {
        DataSpecException e = assertThrows(DataSpecException.class, () -> TextLinesDataset.open(dir.resolve("no.txt")));
        assertTrue(e.getMessage().contains("no.txt"), e.getMessage());
        Path blank = dir.resolve("blank.txt");
        Files.writeString(blank, "\n \n");
        e = assertThrows(DataSpecException.class, () -> TextLinesDataset.open(blank));
        assertTrue(e.getMessage().contains("blank.txt") && e.getMessage().contains("no text"), e.getMessage());
    }
}
