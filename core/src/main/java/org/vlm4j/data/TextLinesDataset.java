package org.vlm4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text without images, one text per line of a UTF-8 file (language-model pretraining: {@code vlm4j train --model
 * lm-tiny --text-data FILE}). Each non-blank line is an entry with no image; a line that is not UTF-8 is a skipped
 * entry ({@link SkipReason#CAPTION_NOT_UTF8}); blank lines are ignored. A {@link BatchLoader} built without an image
 * preprocessor turns it into batches of texts (no pixels), shuffled and resumable as any table.
 */
public final class TextLinesDataset extends ImageTextDataset.Indexed {
    private TextLinesDataset(String spec, List<Sample> entries) {
        super(spec, entries);
    }

    /**
     * @throws DataSpecException if the file does not exist, is a directory, or holds no non-blank line
     */
    public static TextLinesDataset open(Path file) throws IOException {
        String spec = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new DataSpecException(spec, Files.isDirectory(file) ? "is a directory, not a text file"
                    : "matches nothing (no such file)");
        }
        byte[] bytes = Files.readAllBytes(file);
        List<Sample> entries = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0; // a BOM
        int line = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            line++;
            String key = spec + ":" + line;
            try {
                String text = utf8.decode(ByteBuffer.wrap(bytes, start, end - start)).toString().strip();
                if (!text.isEmpty()) {
                    entries.add(Sample.good(key, null, text, Map.of("__key__", key)));
                }
            } catch (CharacterCodingException e) {
                entries.add(Sample.bad(key, SkipReason.CAPTION_NOT_UTF8, key + ": not UTF-8"));
            }
            start = end + 1;
        }
        if (entries.isEmpty()) {
            throw new DataSpecException(spec, "holds no text (every line is blank)");
        }
        return new TextLinesDataset(spec, entries);
    }

    @Override
    public Kind kind() {
        return Kind.TEXT;
    }
}
