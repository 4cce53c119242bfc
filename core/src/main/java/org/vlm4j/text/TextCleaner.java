package org.vlm4j.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenCLIP's text cleaning for {@code clean='lower'}, with Python's semantics:
 *
 * <pre>
 * s = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
 * s = ' '.join(s.split()).strip()
 * return s.lower()
 * </pre>
 *
 * <p>Every step follows CPython 3.11 exactly: {@link #htmlUnescape} is {@code html.unescape} (full HTML5 entity
 * table, legacy names without {@code ;}, longest-prefix rule, CPython's replacements for invalid numeric references);
 * {@link #collapseWhitespace} uses {@code str.split()}'s whitespace (which includes U+001C..U+001F, U+0085, U+00A0,
 * U+2028 but not U+200B); {@link #pythonLower} is {@code str.lower()} (full mapping {@code İ -> i̇}, Python's
 * final-sigma rule, Unicode 14 case pairs that JDK 17 lacks).
 *
 * <p>{@code ftfy.fix_text} is replaced by {@link #fixText}, a subset of ftfy 6 with its default configuration, applied
 * line by line and repeated until stable as ftfy does. Implemented:
 * <ul>
 *   <li>{@code unescape_html="auto"}: entities that end in {@code ;} (plus ftfy's all-caps forms such as
 *       {@code &EACUTE;}), switched off from the first line that contains {@code <};</li>
 *   <li>{@code fix_encoding}, cheap subset: UTF-8 that was decoded as Latin-1 / Windows-1252 ("sloppy", i.e. the five
 *       undefined Windows-1252 bytes pass through as C1 controls), such as {@code "cafÃ©" -> "café"},
 *       {@code "â€™" -> "’"}. The whole line is re-encoded and decoded as UTF-8 only when that is valid UTF-8 and lowers
 *       the count of mojibake-looking sequences; otherwise each mojibake-looking sequence is decoded on its own (ftfy's
 *       {@code decode_inconsistent_utf8}). A sequence is mojibake-looking when it is valid UTF-8 read back as bytes and
 *       starts with {@code Â}/{@code Ã}, or contains a C1 control, or contains a character other than the punctuation
 *       that commonly follows a letter ({@code … “ ” ‘ ’ « » – — • ™ ·} and no-break space), which keeps text such as
 *       {@code "Brontë…”"} unchanged;</li>
 *   <li>{@code fix_c1_controls}, {@code fix_latin_ligatures}, {@code fix_character_width}, {@code uncurl_quotes},
 *       {@code fix_line_breaks}, {@code fix_surrogates}, {@code remove_terminal_escapes}, {@code remove_control_chars}
 *       and NFC normalisation, exactly as ftfy defines them.</li>
 * </ul>
 * Left out of ftfy: its {@code is_bad} badness heuristic (replaced by the narrower sequence rule above), the other
 * single-byte encodings it tries (Windows-1250/1251/1253/1254/1257, ISO-8859-2, MacRoman, CP437), {@code utf-8-variants}
 * (CESU-8 and Java's modified UTF-8), {@code restore_byte_a0} (mojibake whose U+00A0 byte became a space, e.g.
 * {@code "Ã la"}), {@code replace_lossy_sequences} (mojibake that already contains U+FFFD), and the Latin-1 to
 * Windows-1252 reinterpretation of whole lines (C1 controls are still fixed one by one by {@code fix_c1_controls}).
 *
 * <p>Unicode data: character classes come from the JDK (Unicode 13 on Java 17) except where noted; characters assigned
 * after that may be cased or classified differently from CPython. Instances are immutable and thread-safe.
 */
public final class TextCleaner {

    private static final TextCleaner WITH_FTFY = new TextCleaner(true);
    private static final TextCleaner WITHOUT_FTFY = new TextCleaner(false);

    private final boolean ftfy;

    private TextCleaner(boolean ftfy) {
        this.ftfy = ftfy;
    }

    /**
     * OpenCLIP's {@code clean='lower'} pipeline.
     *
     * @param ftfy whether to apply the {@link #fixText ftfy subset} first (OpenCLIP always calls {@code ftfy.fix_text};
     *             {@code false} reproduces an OpenCLIP whose ftfy is an identity stub, as in the test fixtures)
     */
    public static TextCleaner openClip(boolean ftfy) {
        return ftfy ? WITH_FTFY : WITHOUT_FTFY;
    }

    public boolean ftfy() {
        return ftfy;
    }

    /** Cleans one caption: (ftfy) -> html.unescape twice -> strip -> whitespace collapse -> lower. */
    public String clean(String text) {
        String s = ftfy ? fixText(text) : text;
        s = htmlUnescape(htmlUnescape(s));
        // strip(), ' '.join(split()), strip() == collapseWhitespace (split() already drops the ends)
        s = collapseWhitespace(s);
        return pythonLower(s);
    }

    @Override
    public String toString() {
        return "TextCleaner.openClip(ftfy=" + ftfy + ")";
    }

    // ------------------------------------------------------------------------------------------------ whitespace

    /** Python's {@code str.isspace()} for one code point (what {@code str.split()} and {@code strip()} use). */
    public static boolean isPythonWhitespace(int c) {
        switch (c) {
            case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
            case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
            case 0x85: case 0xA0: case 0x1680:
            case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004: case 0x2005:
            case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A:
            case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return false;
        }
    }

    /** Python's {@code ' '.join(s.split())}. */
    public static String collapseWhitespace(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i); // all Python whitespace is in the BMP, so surrogates never count
            if (isPythonWhitespace(c)) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ lower()

    /** Python 3.11's {@code str.lower()}. */
    public static String pythonLower(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length() && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            return s.toLowerCase(Locale.ROOT);
        }
        int[] cps = s.codePoints().toArray();
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == 0x130) {
                sb.append("i\u0307"); // the only unconditional multi-character lowercase mapping
            } else if (c == 0x3A3) {
                sb.append(isFinalSigma(cps, i) ? '\u03C2' : '\u03C3');
            } else {
                sb.appendCodePoint(lowerSimple(c));
            }
        }
        return sb.toString();
    }

    private static int lowerSimple(int c) {
        // Unicode 14 case pairs (Python 3.11) that JDK 17's Unicode 13 tables do not have yet.
        if (c == 0x2C2F) {
            return 0x2C5F;
        }
        if (c == 0xA7C0 || c == 0xA7D0 || c == 0xA7D6 || c == 0xA7D8) {
            return c + 1;
        }
        if (c >= 0x10570 && c <= 0x10595 && c != 0x1057B && c != 0x1058B && c != 0x10593) {
            return c + 0x27; // Vithkuqi
        }
        return Character.toLowerCase(c);
    }

    /** CPython's handle_capital_sigma: {@code \p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})}. */
    private static boolean isFinalSigma(int[] cps, int i) {
        int j = i - 1;
        while (j >= 0 && isCaseIgnorable(cps[j])) {
            j--;
        }
        if (j < 0 || !isCased(cps[j])) {
            return false;
        }
        j = i + 1;
        while (j < cps.length && isCaseIgnorable(cps[j])) {
            j++;
        }
        return j == cps.length || !isCased(cps[j]);
    }

    private static boolean isCased(int c) {
        // Unicode "Cased" = Lowercase | Uppercase | Lt; Java's isLowerCase/isUpperCase include Other_Lowercase/Uppercase
        return Character.isLowerCase(c) || Character.isUpperCase(c) || Character.isTitleCase(c);
    }

    private static boolean isCaseIgnorable(int c) {
        if (c == 0x1734) {
            return false; // Mn in Unicode 13 (JDK 17), Mc since Unicode 14 (Python 3.11)
        }
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (c) { // Word_Break = MidLetter | MidNumLet | Single_Quote
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
            case 0x2018: case 0x2019: case 0x2024: case 0x2027:
            case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
            default:
                return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ html.unescape

    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** Windows-1252 for bytes 0x80..0x9F, undefined bytes passing through as C1 controls (ftfy's "sloppy" codec). */
    private static final String SLOPPY_1252_80_9F =
            "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
                    + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /** Python 3.11's {@code html.unescape}. */
    public static String htmlUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder sb = null;
        int last = 0;
        while (m.find()) {
            if (sb == null) {
                sb = new StringBuilder(s.length());
            }
            sb.append(s, last, m.start()).append(replaceCharref(m.group(1)));
            last = m.end();
        }
        if (sb == null) {
            return s;
        }
        return sb.append(s, last, s.length()).toString();
    }

    private static String replaceCharref(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
            long num = 0;
            for (int i = hex ? 2 : 1; i < end; i++) {
                num = num * (hex ? 16 : 10) + Character.digit(ref.charAt(i), 16);
                if (num > 0x10FFFF) {
                    num = 0x110000; // Python ints do not overflow; anything this large is just "too large"
                }
            }
            if (num == 0) {
                return "\uFFFD";
            }
            if (num == 0x0D) {
                return "\r";
            }
            if (num >= 0x80 && num <= 0x9F) {
                return String.valueOf(SLOPPY_1252_80_9F.charAt((int) num - 0x80));
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                return "\uFFFD";
            }
            int c = (int) num;
            if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0xFDD0 && c <= 0xFDEF)
                    || (c & 0xFFFE) == 0xFFFE) {
                return ""; // html._invalid_codepoints
            }
            return new String(Character.toChars(c));
        }
        Map<String, String> html5 = Entities.HTML5;
        String v = html5.get(ref);
        if (v != null) {
            return v;
        }
        // the longest prefix that is an entity (only the legacy names without ';' can match here)
        int[] cps = ref.codePoints().toArray();
        for (int x = cps.length - 1; x > 1; x--) {
            v = html5.get(new String(cps, 0, x));
            if (v != null) {
                return v + new String(cps, x, cps.length - x);
            }
        }
        return "&" + ref;
    }

    /** HTML5 entity tables, loaded on first use from {@code html5_entities.txt} beside this class. */
    private static final class Entities {
        static final Map<String, String> HTML5 = new HashMap<>(4096);
        /** ftfy's HTML_ENTITIES: {@code "&name;"} for every html5 name with ';', plus its all-caps extras. */
        static final Map<String, String> FTFY = new HashMap<>(8192);

        static {
            String resource = "html5_entities.txt";
            try (InputStream in = TextCleaner.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing classpath resource org/vlm4j/text/" + resource);
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                Map<String, String> target = null;
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    if (line.equals("[html5]")) {
                        target = HTML5;
                        continue;
                    }
                    if (line.equals("[ftfy_upper]")) {
                        target = FTFY;
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    StringBuilder value = new StringBuilder(2);
                    for (String hex : line.substring(tab + 1).split(" ")) {
                        value.appendCodePoint(Integer.parseInt(hex, 16));
                    }
                    String name = line.substring(0, tab);
                    if (target == HTML5) {
                        HTML5.put(name, value.toString());
                        if (name.endsWith(";")) {
                            FTFY.put("&" + name, value.toString());
                        }
                    } else if (target == FTFY) {
                        FTFY.put("&" + name, value.toString());
                    } else {
                        throw new IllegalStateException("malformed " + resource + ": entry before a section");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ ftfy subset

    /** ftfy's max_decode_length: lines longer than this many code points are split. */
    private static final int FTFY_MAX_SEGMENT = 1_000_000;
    /** ftfy has no bound; this only guards against a non-idempotent step looping forever. */
    private static final int FTFY_MAX_ROUNDS = 16;

    /**
     * The implemented subset of {@code ftfy.fix_text(text)} (ftfy 6, default configuration); see the class comment
     * for what is left out.
     */
    public static String fixText(String text) {
        if (isPlainAscii(text)) {
            return text; // nothing for any step to change (the common case for captions)
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true; // "auto": switched off for good from the first line that contains '<'
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? n : nl + 1;
            if (end - pos > FTFY_MAX_SEGMENT && text.codePointCount(pos, end) > FTFY_MAX_SEGMENT) {
                end = text.offsetByCodePoints(pos, FTFY_MAX_SEGMENT);
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /** Printable ASCII, tab and LF only, and no '&amp;': already NFC, no entity, escape, control or mojibake. */
    private static boolean isPlainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c >= 0x7F || c == '&') {
                return false;
            }
        }
        return true;
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        for (int round = 0; round < FTFY_MAX_ROUNDS; round++) {
            String orig = text;
            if (unescapeHtml) {
                text = ftfyUnescapeHtml(text);
            }
            text = fixEncoding(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                break;
            }
        }
        return text;
    }

    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** ftfy.fixes.unescape_html: only complete entities (with ';'), including all-caps ones such as &EACUTE;. */
    static String ftfyUnescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = FTFY_ENTITY.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        int last = 0;
        while (m.find()) {
            String entity = m.group();
            String replacement = Entities.FTFY.get(entity);
            if (replacement == null) {
                replacement = entity;
                if (entity.startsWith("&#")) {
                    String unescaped = htmlUnescape(entity);
                    if (unescaped.indexOf(';') < 0) { // html.unescape decoded only a prefix: keep it as it was
                        replacement = unescaped;
                    }
                }
            }
            sb.append(text, last, m.start()).append(replacement);
            last = m.end();
        }
        return sb.append(text, last, text.length()).toString();
    }

    /** The byte a character stands for when UTF-8 was read as Latin-1 or Windows-1252, or -1. */
    private static int sloppyByte(int c) {
        if (c < 0x100) {
            return c;
        }
        int i = SLOPPY_1252_80_9F.indexOf(c);
        return i < 0 ? -1 : 0x80 + i;
    }

    /** Punctuation that commonly follows a letter; sequences made only of it are not treated as mojibake. */
    private static boolean isPlausibleAfterLetter(int c) {
        switch (c) {
            case 0xA0: case 0xAB: case 0xBB: case 0xB7:
            case 0x2026: case 0x201C: case 0x201D: case 0x2018: case 0x2019:
            case 0x2013: case 0x2014: case 0x2022: case 0x2122:
                return true;
            default:
                return false;
        }
    }

    /**
     * Length in code points of the UTF-8 sequence (as sloppy single bytes) starting at {@code i} if it is valid UTF-8
     * and looks like mojibake, else 0.
     */
    private static int mojibakeAt(int[] cps, int i) {
        int lead = sloppyByte(cps[i]);
        int cont;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            cont = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            cont = 2;
            if (lead == 0xE0) {
                min = 0xA0; // no overlong forms
            } else if (lead == 0xED) {
                max = 0x9F; // no surrogates
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            cont = 3;
            if (lead == 0xF0) {
                min = 0x90;
            } else if (lead == 0xF4) {
                max = 0x8F;
            }
        } else {
            return 0;
        }
        if (i + cont >= cps.length) {
            return 0;
        }
        boolean suspicious = lead == 0xC2 || lead == 0xC3; // Â, Ã: by far the most common mojibake leads
        for (int k = 1; k <= cont; k++) {
            int c = cps[i + k];
            int b = sloppyByte(c);
            if (b < 0x80 || b > 0xBF || (k == 1 && (b < min || b > max))) {
                return 0;
            }
            suspicious |= !isPlausibleAfterLetter(c); // C1 controls are never plausible
        }
        return suspicious ? cont + 1 : 0;
    }

    private static int mojibakeCount(int[] cps) {
        int count = 0;
        for (int i = 0; i < cps.length; ) {
            int len = mojibakeAt(cps, i);
            if (len > 0) {
                count++;
                i += len;
            } else {
                i++;
            }
        }
        return count;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The cheap fix_encoding subset, repeated until stable (fixes mojibake of mojibake, too). */
    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixEncodingOnce(text);
            if (fixed.equals(text)) {
                return text;
            }
            text = fixed; // every change shortens the text, so this terminates
        }
    }

    private static String fixEncodingOnce(String text) {
        boolean ascii = true;
        for (int i = 0; i < text.length() && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            return text;
        }
        int[] cps = text.codePoints().toArray();
        int count = mojibakeCount(cps);
        if (count == 0) {
            return text;
        }
        // 1. the whole line was UTF-8 read as a single-byte encoding
        byte[] bytes = new byte[cps.length];
        boolean encodable = true;
        for (int i = 0; i < cps.length && encodable; i++) {
            int b = sloppyByte(cps[i]);
            encodable = b >= 0;
            bytes[i] = (byte) b;
        }
        if (encodable) {
            String decoded = strictUtf8(bytes);
            if (decoded != null && mojibakeCount(decoded.codePoints().toArray()) < count) {
                return decoded;
            }
        }
        // 2. mojibake mixed with correct text: decode each mojibake-looking sequence on its own
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < cps.length; ) {
            int len = mojibakeAt(cps, i);
            if (len > 0) {
                byte[] seq = new byte[len];
                for (int k = 0; k < len; k++) {
                    seq[k] = (byte) sloppyByte(cps[i + k]);
                }
                sb.append(new String(seq, StandardCharsets.UTF_8));
                i += len;
            } else {
                sb.appendCodePoint(cps[i++]);
            }
        }
        return sb.toString();
    }

    /** ftfy.fixes.fix_c1_controls: C1 controls read as Windows-1252 (the five undefined bytes stay). */
    static String fixC1Controls(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, SLOPPY_1252_80_9F.charAt(c - 0x80));
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static final Map<Character, String> LIGATURES = Map.ofEntries(
            Map.entry('\u0132', "IJ"), Map.entry('\u0133', "ij"), Map.entry('\u0149', "\u02BCn"),
            Map.entry('\u01F1', "DZ"), Map.entry('\u01F2', "Dz"), Map.entry('\u01F3', "dz"),
            Map.entry('\u01C4', "D\u017D"), Map.entry('\u01C5', "D\u017E"), Map.entry('\u01C6', "d\u017E"),
            Map.entry('\u01C7', "LJ"), Map.entry('\u01C8', "Lj"), Map.entry('\u01C9', "lj"),
            Map.entry('\u01CA', "NJ"), Map.entry('\u01CB', "Nj"), Map.entry('\u01CC', "nj"),
            Map.entry('\uFB00', "ff"), Map.entry('\uFB01', "fi"), Map.entry('\uFB02', "fl"),
            Map.entry('\uFB03', "ffi"), Map.entry('\uFB04', "ffl"), Map.entry('\uFB05', "\u017Ft"),
            Map.entry('\uFB06', "st"));

    /** ftfy.fixes.fix_latin_ligatures (ftfy's LIGATURES table; other ligatures such as æ are intentional). */
    static String fixLatinLigatures(String text) {
        return translate(text, c -> LIGATURES.get(c));
    }

    /** ftfy's WIDTH_MAP: U+3000 -> space, and NFKC of every half-/full-width form U+FF01..U+FFEF it changes. */
    private static final String[] WIDTH_MAP = new String[0xFFF0 - 0xFF01];

    static {
        for (int c = 0xFF01; c < 0xFFF0; c++) {
            String ch = String.valueOf((char) c);
            String alt = Normalizer.normalize(ch, Normalizer.Form.NFKC);
            WIDTH_MAP[c - 0xFF01] = alt.equals(ch) ? null : alt;
        }
    }

    /** ftfy.fixes.fix_character_width. */
    static String fixCharacterWidth(String text) {
        return translate(text, c -> c == 0x3000 ? " " : (c >= 0xFF01 && c < 0xFFF0 ? WIDTH_MAP[c - 0xFF01] : null));
    }

    /** ftfy.fixes.uncurl_quotes: U+02BC, U+2018..U+201B -> ', U+201C..U+201F -> ". */
    static String uncurlQuotes(String text) {
        return translate(text, c -> c == 0x02BC || (c >= 0x2018 && c <= 0x201B) ? "'"
                : (c >= 0x201C && c <= 0x201F ? "\"" : null));
    }

    /** ftfy.fixes.fix_line_breaks. */
    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** ftfy.fixes.fix_surrogates: Java strings hold pairs as one character already; lone halves become U+FFFD. */
    static String fixSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (paired) {
                    i++;
                } else {
                    if (sb == null) {
                        sb = new StringBuilder(text);
                    }
                    sb.setCharAt(i, '\uFFFD');
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[\\p{Nd};]*[a-zA-Z]");

    /** ftfy.fixes.remove_terminal_escapes (Python's \d is any Unicode decimal digit). */
    static String removeTerminalEscapes(String text) {
        return text.indexOf('\u001B') < 0 ? text : ANSI_ESCAPE.matcher(text).replaceAll("");
    }

    /** ftfy.fixes.remove_control_chars: U+0000..08, 0B, 0E..1F, 7F, U+206A..206F, U+FEFF, U+FFF9..FFFC. */
    static String removeControlChars(String text) {
        return translate(text, c -> (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC)) ? "" : null);
    }

    private interface CharMap {
        /** Replacement for a BMP character, or null to keep it. */
        String map(char c);
    }

    /** Python's str.translate for mappings whose keys are all in the BMP (surrogate halves are never keys). */
    private static String translate(String text, CharMap map) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String r = map.map(c);
            if (r != null && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }
}
