package org.vlm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {
    @TempDir
    Path tmp;

    @Test
    void openaiImagenetHasEightyInOpenClipOrder() {
        List<String> t = Templates.openaiImagenet();
        assertEquals(80, t.size());
        assertEquals("a bad photo of a {}.", t.get(0));
        assertEquals("a photo of many {}.", t.get(1));
        assertEquals("a photo of a {}.", t.get(39));
        assertEquals("a {} in a video game.", t.get(35));
        assertEquals("a tattoo of the {}.", t.get(79));
        assertEquals(80, new HashSet<>(t).size(), "no duplicates");
        for (String s : t) {
            assertEquals(1, s.split("\\{}", -1).length - 1, s);
            assertEquals(s.strip(), s);
        }
    }

    @Test
    void simpleImagenetHasSevenFromTheEighty() {
        List<String> t = Templates.simpleImagenet();
        assertEquals(List.of("itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
                "a {} in a video game.", "art of the {}.", "a photo of the small {}."), t);
        assertTrue(Templates.openaiImagenet().containsAll(t));
    }

    @Test
    void userFileOneTemplatePerLine() throws Exception {
        Path f = tmp.resolve("t.txt");
        Files.write(f, "\uFEFFa photo of a {}.\r\n\r\n  a sketch of the {}, drawn.\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a photo of a {}.", "  a sketch of the {}, drawn."), Templates.load(f));
        assertEquals(Templates.load(f), Templates.resolve(f.toString()));
        assertSame(Templates.simpleImagenet(), Templates.resolve("simple"));
        assertSame(Templates.openaiImagenet(), Templates.resolve("imagenet80"));
    }

    @Test
    void aLineWithoutPlaceholderIsRejectedWithItsLineNumber() throws Exception {
        Path f = tmp.resolve("bad.txt");
        Files.writeString(f, "a photo of a {}.\na photo of a {c}.\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Templates.load(f));
        assertTrue(e.getMessage().contains("bad.txt:2"), e.getMessage());
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        assertThrows(IllegalArgumentException.class, () -> Templates.load(empty));
    }
}
