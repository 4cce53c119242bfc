package org.vlm4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextCleanerTest {

    private static final TextCleaner NO_FTFY = TextCleaner.openClip(false);
    private static final TextCleaner FTFY = TextCleaner.openClip(true);

    @Test
    void fixtureCleanedStrings() {
        for (JsonNode c : ClipBpeTokenizerTest.cases()) {
            String text = c.get("text").asText();
            String name = c.get("name").asText();
            assertEquals(c.get("cleaned").asText(), NO_FTFY.clean(text), name);
            if (!c.get("ftfy_may_differ").booleanValue()) {
                assertEquals(c.get("cleaned").asText(), FTFY.clean(text), name + " (ftfy subset on)");
            }
        }
        assertSame(NO_FTFY, TextCleaner.openClip(false));
        assertFalse(NO_FTFY.ftfy());
        assertTrue(FTFY.ftfy());
    }

    @Test
    void ftfySensitiveFixtureCase() {
        JsonNode c = ClipBpeTokenizerTest.cases().stream().filter(n -> n.get("ftfy_may_differ").booleanValue())
                .findFirst().orElseThrow();
        String text = c.get("text").asText();
        // what ftfy.fix_text (6.x, defaults) makes of it: straight quotes, ﬁ -> fi, full-width -> ASCII, NFC
        assertEquals("\"curly\" 'quotes' fine ABC \u00E9t\u00E9", TextCleaner.fixText(text));
        assertEquals("\"curly\" 'quotes' fine abc \u00E9t\u00E9", FTFY.clean(text));
        assertEquals(c.get("cleaned").asText(), NO_FTFY.clean(text));
    }

    /** Expected values: CPython 3.11's html.unescape, evaluated at development time. */
    @Test
    void htmlUnescapeIsPythons() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("&amp", "&");
        cases.put("&ampx", "&x");
        cases.put("&notit;", "\u00ACit;");
        cases.put("&notin;", "\u2209");
        cases.put("&#0;", "\uFFFD");
        cases.put("&#x110000;", "\uFFFD");
        cases.put("&#13;", "\r");
        cases.put("&#128;", "\u20AC");
        cases.put("&#129;", "\u0081");
        cases.put("&#xD800;", "\uFFFD");
        cases.put("&#1;", "");
        cases.put("&#99999999999999999999;", "\uFFFD");
        cases.put("&unknown;", "&unknown;");
        cases.put("&;", "&;");
        cases.put("&#;", "&#;");
        cases.put("&#x;", "&#x;");
        cases.put("&#65", "A");
        cases.put("&lt&gt", "<>");
        cases.put("& amp;", "& amp;");
        cases.put("&AMP;", "&");
        cases.put("&Amp;", "&Amp;");
        cases.put("&#x1F600;", "\uD83D\uDE00");
        cases.put("&#65;&#x41;&#X41", "AAA");
        cases.put("&copy2023", "\u00A92023");
        cases.put("&\uD83D\uDE00;", "&\uD83D\uDE00;");
        cases.put("&aacute&Aacute;&AElig", "\u00E1\u00C1\u00C6");
        cases.put("&#xfffe;&#xFDD0;&#127;&#11;&#9;", "\t");
        cases.put("&amp;amp;", "&amp;");
        cases.put("&nbsp;", "\u00A0");
        cases.put("&NotNestedGreaterGreater;", "\u2AA2\u0338");
        cases.put("&thetasym;x", "\u03D1x");
        cases.put("&" + "a".repeat(40) + ";", "&" + "a".repeat(40) + ";");
        cases.put("no entities", "no entities");
        cases.put("$1 & \\2", "$1 & \\2");
        cases.forEach((in, out) -> assertEquals(out, TextCleaner.htmlUnescape(in), in));
    }

    /** Expected values: CPython 3.11's str.lower(), evaluated at development time. */
    @Test
    void lowerIsPythons() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("\u0130stanbul", "i\u0307stanbul");
        cases.put("\u03A3\u038A\u03A3\u03A5\u03A6\u039F\u03A3", "\u03C3\u03AF\u03C3\u03C5\u03C6\u03BF\u03C2");
        cases.put("\u1F48\u0394\u03A5\u03A3\u03A3\u0395\u038E\u03A3", "\u1F40\u03B4\u03C5\u03C3\u03C3\u03B5\u03CD\u03C2");
        cases.put("\u03A3", "\u03C3");
        cases.put("A\u03A3", "a\u03C2");
        cases.put("A\u03A3B", "a\u03C3b");
        cases.put("A\u03A3\u0301", "a\u03C2\u0301");
        cases.put("A\u03A3\u0301B", "a\u03C3\u0301b");
        cases.put("A.\u03A3", "a.\u03C2");
        cases.put("1\u03A3", "1\u03C3");
        cases.put("A\u03A3'B", "a\u03C3'b");
        cases.put("\u1E9E\u00DF\u01C5\u2C2F\uD801\uDD70\u212A\u2126", "\u00DF\u00DF\u01C6\u2C5F\uD801\uDD97k\u03C9");
        cases.put("\u0345\u0399", "\u0345\u03B9");
        cases.put("MiXeD ASCII 123", "mixed ascii 123");
        cases.forEach((in, out) -> assertEquals(out, TextCleaner.pythonLower(in), in));
    }

    @Test
    void whitespaceIsPythons() {
        // the 29 characters of CPython 3.11's str.isspace()
        int[] python = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
            0x3000};
        List<Integer> found = new ArrayList<>();
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (TextCleaner.isPythonWhitespace(c)) {
                found.add(c);
            }
        }
        List<Integer> expected = new ArrayList<>();
        StringBuilder all = new StringBuilder("a");
        for (int c : python) {
            expected.add(c);
            all.appendCodePoint(c).append('b').appendCodePoint(c).appendCodePoint(c);
        }
        assertEquals(expected, found);
        assertEquals("a" + " b".repeat(python.length), TextCleaner.collapseWhitespace(all.toString()));
        assertEquals("x\u200By\u180Ez\uFEFFw", TextCleaner.collapseWhitespace(" x\u200By\u180Ez\uFEFFw\u3000"));
        assertEquals("", TextCleaner.collapseWhitespace(" \t\n\u00A0"));
        assertEquals("a b", NO_FTFY.clean("  A&nbsp;&nbsp;B&#x2028;"));
    }

    /**
     * ftfy behaviour: examples from ftfy's own documentation (doctests of ftfy 6), with NFC normalisation (ftfy 6's
     * default; older docs show NFKC output such as "..." for "…").
     */
    @Test
    void ftfySubsetMatchesFtfyExamples() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("\u00E2\u0153\u201D No problems", "\u2714 No problems");
        cases.put("&macr;\\_(\u00E3\u0083\u0084)_/&macr;", "\u00AF\\_(\u30C4)_/\u00AF");
        cases.put("Broken text&hellip; it&#x2019;s \uFB02ubberi\uFB01c!", "Broken text\u2026 it's flubberific!");
        cases.put("\uFF2C\uFF2F\uFF35\uFF24\u3000\uFF2E\uFF2F\uFF29\uFF33\uFF25\uFF33", "LOUD NOISES");
        cases.put("This text should be in \u00E2\u20AC\u0153quotes\u00E2\u20AC\u009D.", "This text should be in \"quotes\".");
        cases.put("u\u00CC\u02C6nicode", "\u00FCnicode");
        cases.put("HTML entities &lt;3", "HTML entities <3");
        cases.put("<em>HTML entities &lt;3</em>", "<em>HTML entities &lt;3</em>");
        cases.put("\u0001\u001B[36;44mI&#x92;m blue, da ba dee da ba doo&#133;\u001B[0m", "I'm blue, da ba dee da ba doo\u2026");
        cases.put("\uFEFFParty like\nit&rsquo;s 1999!", "Party like\nit's 1999!");
        cases.put("P&EACUTE;REZ", "P\u00C9REZ");
        cases.put("BUNDESSTRA&SZLIG;E", "BUNDESSTRASSE");
        cases.put("&ntilde; &Ntilde; &NTILDE; &nTILDE;", "\u00F1 \u00D1 \u00D1 &nTILDE;");
        cases.put("&Jscr;ohn &HilbertSpace;ancock", "\uD835\uDCA5ohn \u210Bancock");
        cases.put("&checkmark;", "\u2713");
        cases.put("\uFB02u\uFB03e\uFB06", "fluffiest");
        cases.put("\uFF35\uFF80\uFF70\uFF9D", "U\u30BF\u30FC\u30F3");
        cases.put("one\r\ntwo\rthree\u2028four\u2029five", "one\ntwo\nthree\nfour\nfive");
        cases.put("e\u0301", "\u00E9");
        cases.put("&amp;amp;amp;", "&");
        cases.put("This text was never UTF-8 at all\u0085", "This text was never UTF-8 at all\u2026");
        cases.put("This text is sad .\u00E2\u0081\u201D.", "This text is sad .\u2054.");
        cases.put("\u00C3\u00A0\u00C2\u00B2\u00C2\u00A0_\u00C3\u00A0\u00C2\u00B2\u00C2\u00A0", "\u0CA0_\u0CA0");
        cases.put("caf\u00C3\u00A9 and caf\u00E9 and \u65E5\u672C", "caf\u00E9 and caf\u00E9 and \u65E5\u672C");
        cases.put("\u00F0\u0178\u02DC\u20AC emoji", "\uD83D\uDE00 emoji");
        cases.put("lone \uD800 surrogate", "lone \uFFFD surrogate");
        // '<' switches entity decoding off for that line and all later ones
        cases.put("a &lt; b\n<p>x &amp; y\n&lt;", "a < b\n<p>x &amp; y\n&lt;");
        cases.forEach((in, out) -> assertEquals(out, TextCleaner.fixText(in), in));
    }

    /** Text that is already right must survive; the first three are ftfy's own examples of text it leaves alone. */
    @Test
    void fixEncodingLeavesGoodTextAlone() {
        List<String> good = List.of(
                "not such a fan of Charlotte Bront\u00EB\u2026\u201D",
                "This text is fine already :\u00FE",
                "AH\u00C5\u2122, the new sofa from IKEA\u00AE",
                "\u201CCAF\u00C9\u201D \u00AB\u00C9T\u00C9\u00BB na\u00EFve r\u00E9sum\u00E9 Stra\u00DFe \u201EStra\u00DFe\u201C",
                "\u00BF\u00A1Se\u00F1or!? 5\u00B0C \u00B1 \u00BD \u00D7 2\u00B2 \u00A9 2024 \u00AE",
                "\u041F\u0440\u0438\u0432\u0435\u0442 \u03A3\u03AF\u03C3\u03C5\u03C6\u03BF\u03C2 \u65E5\u672C\u8A9E \uD83D\uDE00",
                "S\u00C3O PAULO, \u00C3 la mode? no: \u00C3 la");
        for (String s : good) {
            assertEquals(s, TextCleaner.fixEncoding(s), s);
        }
    }

    @Test
    void fixTextIsIdempotent() {
        for (JsonNode c : ClipBpeTokenizerTest.cases()) {
            String once = TextCleaner.fixText(c.get("text").asText());
            assertEquals(once, TextCleaner.fixText(once), c.get("name").asText());
        }
    }
}
