package org.vlm4j.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * CLIP's byte-level BPE tokenizer, exactly as OpenCLIP's {@code SimpleTokenizer} (which is OpenAI CLIP's).
 *
 * <p>{@link #encode}: {@link TextCleaner clean} -> split with the pre-tokeniser regex
 * {@code <start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
 * (case-insensitive, Unicode classes) -> each piece as UTF-8 bytes mapped through {@code bytes_to_unicode} -> BPE, the
 * last symbol of a word carrying {@code </w>}. A piece that is exactly a special token (for example a literal
 * {@code <end_of_text>} in a caption) becomes that token's id, mid-sequence, as in OpenCLIP.
 *
 * <p>The vocabulary comes from OpenCLIP's merges file ({@link #bundled()}, {@link #fromOpenClipVocab}) or from
 * HuggingFace {@code CLIPTokenizer} files ({@link #fromHf}), or from a list of merges ({@link #fromMerges}, e.g. learnt by
 * {@link BpeTrainer}); the algorithm is OpenCLIP's in every case, with the
 * special tokens of the vocabulary ({@code <start_of_text>}/{@code <end_of_text>} or
 * {@code <|startoftext|>}/{@code <|endoftext|>}) and padding id 0 (OpenCLIP pads with zeros).
 *
 * <p>Text cleaning defaults to {@link TextCleaner#openClip(boolean) TextCleaner.openClip(true)}, the ftfy subset
 * standing in for the {@code ftfy.fix_text} every OpenCLIP installation runs; use
 * {@code withCleaner(TextCleaner.openClip(false))} to reproduce an OpenCLIP without ftfy.
 *
 * <p>Thread-safe: the tables are immutable and the BPE cache is a {@link ConcurrentHashMap} (bounded; once full,
 * new words are computed without being cached).
 */
public final class ClipBpeTokenizer implements Tokenizer {

    /** OpenCLIP's merges file name. */
    public static final String OPENCLIP_VOCAB_FILE = "bpe_simple_vocab_16e6.txt.gz";
    /** HuggingFace vocabulary file: JSON object token -> id. */
    public static final String HF_VOCAB_FILE = "vocab.json";
    /** HuggingFace merges file: {@code #version} header, then one merge per line. */
    public static final String HF_MERGES_FILE = "merges.txt";
    /** Merges OpenCLIP uses from its file: {@code merges[1:49152-256-2+1]}. */
    public static final int OPENCLIP_NUM_MERGES = 49152 - 256 - 2;
    /** CLIP's context length. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    static final String OPENCLIP_SOT = "<start_of_text>";
    static final String OPENCLIP_EOT = "<end_of_text>";
    static final String HF_SOT = "<|startoftext|>";
    static final String HF_EOT = "<|endoftext|>";
    static final String END_OF_WORD = "</w>";
    private static final String HF_MERGES_HEADER = "#version: 0.2";
    private static final int MAX_CACHE_ENTRIES = 1 << 18;

    /** CLIP's bytes_to_unicode: byte -> printable character. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The bytes in bytes_to_unicode's order (the order of the first 256 vocabulary entries). */
    private static final int[] BYTE_ORDER = new int[256];

    static {
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintableByte(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                BYTE_ORDER[k++] = b;
            }
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintableByte(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + n++);
                BYTE_ORDER[k++] = b;
            }
        }
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private enum Format { OPENCLIP, HF }

    /** Immutable vocabulary, merges and pre-tokeniser, shared by all cleaner variants of one tokenizer. */
    private static final class Model {
        Format format;
        /** GPT-2's byte-level BPE: its pre-tokeniser, no text cleaning, no end-of-word symbols, lossless decode. */
        boolean gpt2;
        String openClipHeader;
        String[] idToToken;
        Map<String, Integer> tokenToId;
        List<String[]> merges;
        int[] byteToId = new int[256];
        int[] byteToEndId = new int[256];
        LongIntMap pairRank;
        int[] mergeResult;
        int[] charToByte;
        Map<String, Integer> specialIds = new HashMap<>();
        int sot;
        int eot;
        Pattern pattern;
        final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    }

    private static volatile ClipBpeTokenizer bundled;

    private final Model m;
    private final TextCleaner cleaner;

    private ClipBpeTokenizer(Model m, TextCleaner cleaner) {
        this.m = m;
        this.cleaner = cleaner;
    }

    // ------------------------------------------------------------------------------------------------ factories

    /**
     * The tokenizer of OpenCLIP's own vocabulary, shipped as the classpath resource
     * {@code org/vlm4j/text/bpe_simple_vocab_16e6.txt.gz} (MIT, see {@code bpe_simple_vocab_16e6.LICENSE.txt}). Loaded
     * once and cached.
     */
    public static ClipBpeTokenizer bundled() {
        ClipBpeTokenizer t = bundled;
        if (t == null) {
            synchronized (ClipBpeTokenizer.class) {
                t = bundled;
                if (t == null) {
                    String name = "classpath:org/vlm4j/text/" + OPENCLIP_VOCAB_FILE;
                    try (InputStream in = ClipBpeTokenizer.class.getResourceAsStream(OPENCLIP_VOCAB_FILE)) {
                        if (in == null) {
                            throw new IllegalStateException("missing " + name);
                        }
                        t = new ClipBpeTokenizer(readOpenClip(in, name), TextCleaner.openClip(true));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + name, e);
                    }
                    bundled = t;
                }
            }
        }
        return t;
    }

    /**
     * From OpenCLIP's gzip'd merges file: the first line is a header, lines 2..48895 are the merges used
     * ({@code merges[1:49152-256-2+1]}); the vocabulary is the 256 byte characters, the same with {@code </w>}, the
     * joined merges, then {@code <start_of_text>} (49406) and {@code <end_of_text>} (49407).
     *
     * @throws IllegalArgumentException if the file is missing or malformed (the message names file and line)
     */
    public static ClipBpeTokenizer fromOpenClipVocab(Path gz) {
        requireFile(gz);
        try (InputStream in = Files.newInputStream(gz)) {
            return new ClipBpeTokenizer(readOpenClip(in, gz.toString()), TextCleaner.openClip(true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gz, e);
        }
    }

    /**
     * From a list of merges (each two symbols, e.g. {@code {"e", "s"}}, {@code {"es", "t</w>"}}), with the vocabulary
     * laid out as in OpenCLIP: the 256 byte characters, the same with {@code </w>}, the joined merges in order, then
     * {@code <start_of_text>} and {@code <end_of_text>} ({@code vocabSize() == 512 + merges.size() + 2}). This is the
     * form {@link BpeTrainer} produces; {@link #save} writes it as an OpenCLIP merges file, which {@link #load} reads
     * back with every merge.
     *
     * @throws IllegalArgumentException if there are more than {@value #OPENCLIP_NUM_MERGES} merges (OpenCLIP's
     *                                  merges-file format keeps no more), or a merge is not two non-empty symbols without
     *                                  whitespace, or uses a symbol that neither a byte nor an earlier merge gives
     */
    public static ClipBpeTokenizer fromMerges(List<String[]> merges) {
        if (merges.size() > OPENCLIP_NUM_MERGES) {
            throw new IllegalArgumentException(merges.size() + " merges: an OpenCLIP vocabulary holds at most "
                    + OPENCLIP_NUM_MERGES);
        }
        String source = "merges list";
        List<String[]> copy = new ArrayList<>(merges.size());
        List<Integer> numbers = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String[] merge = merges.get(i);
            if (merge == null || merge.length != 2 || !isSymbol(merge[0]) || !isSymbol(merge[1])) {
                throw new IllegalArgumentException(source + ": merge " + (i + 1) + " "
                        + (merge == null ? "null" : Arrays.toString(merge))
                        + " is not two non-empty symbols without whitespace");
            }
            copy.add(new String[] {merge[0], merge[1]});
            numbers.add(i + 1);
        }
        return new ClipBpeTokenizer(openClipModel(HF_MERGES_HEADER, copy, numbers, source), TextCleaner.openClip(true));
    }

    private static boolean isSymbol(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (TextCleaner.isPythonWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * From HuggingFace {@code CLIPTokenizer} files: {@code vocab.json} (token -> id, including
     * {@code <|startoftext|>} and {@code <|endoftext|>}) and {@code merges.txt} ({@code #version} header, then every
     * line a merge).
     *
     * @throws IllegalArgumentException if a file is missing or malformed (the message names file and line)
     */
    public static ClipBpeTokenizer fromHf(Path vocabJson, Path mergesTxt) {
        return readHf(vocabJson, mergesTxt, false);
    }

    /**
     * GPT-2's byte-level BPE from HuggingFace {@code GPT2Tokenizer} files ({@code vocab.json}, {@code merges.txt}): the
     * same byte-to-character table and merge loop as CLIP, with GPT-2's case-sensitive pre-tokeniser
     * ({@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, a leading space kept
     * in the piece as {@code Ġ}), no text cleaning and no end-of-word symbols, so decoding gives the text back exactly.
     * {@code <|endoftext|>} is both the start and the end id (GPT-2 has no other special token); padding is id 0.
     */
    public static ClipBpeTokenizer fromGpt2(Path vocabJson, Path mergesTxt) {
        return readHf(vocabJson, mergesTxt, true);
    }

    /** {@link #fromGpt2} on the files in a directory (as {@link #save} writes them for a GPT-2 tokenizer). */
    public static ClipBpeTokenizer loadGpt2(Path dir) {
        return fromGpt2(dir.resolve(HF_VOCAB_FILE), dir.resolve(HF_MERGES_FILE));
    }

    /** True for GPT-2's variant ({@link #fromGpt2}). */
    public boolean gpt2() {
        return m.gpt2;
    }

    private static ClipBpeTokenizer readHf(Path vocabJson, Path mergesTxt, boolean gpt2) {
        requireFile(vocabJson);
        requireFile(mergesTxt);
        Map<String, Integer> vocab;
        try {
            vocab = new ObjectMapper().readValue(vocabJson.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() { });
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(vocabJson + ": not a JSON object of token -> id: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + vocabJson, e);
        }
        List<String> lines;
        try (InputStream in = Files.newInputStream(mergesTxt)) {
            lines = readLines(in, mergesTxt.toString(), Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mergesTxt, e);
        }
        Model m = new Model();
        m.format = Format.HF;
        m.gpt2 = gpt2;
        int maxId = -1;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException(vocabJson + ": token '" + e.getKey() + "' has invalid id " + e.getValue());
            }
            maxId = Math.max(maxId, e.getValue());
        }
        m.idToToken = new String[maxId + 1];
        m.tokenToId = new HashMap<>(vocab.size() * 2);
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (m.idToToken[id] != null) {
                throw new IllegalArgumentException(vocabJson + ": id " + id + " is used by both '" + m.idToToken[id]
                        + "' and '" + e.getKey() + "'");
            }
            m.idToToken[id] = e.getKey();
            m.tokenToId.put(e.getKey(), id);
        }
        int first = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
        List<String[]> merges = new ArrayList<>(lines.size());
        List<Integer> lineNumbers = new ArrayList<>(lines.size());
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && allEmptyFrom(lines, i)) {
                break; // trailing newline(s)
            }
            merges.add(parseMerge(line, mergesTxt.toString(), i + 1));
            lineNumbers.add(i + 1);
        }
        m.merges = merges;
        build(m, gpt2 ? List.of(HF_EOT) : List.of(HF_SOT, HF_EOT), mergesTxt.toString(), lineNumbers,
                vocabJson.toString());
        return new ClipBpeTokenizer(m, TextCleaner.openClip(true));
    }

    /**
     * Loads the tokenizer files in {@code dir}: {@value #OPENCLIP_VOCAB_FILE} if present, else {@value #HF_VOCAB_FILE}
     * + {@value #HF_MERGES_FILE}.
     *
     * @throws IllegalArgumentException naming the directory and the expected files if there are none
     */
    public static ClipBpeTokenizer load(Path dir) {
        String expected = "expected " + OPENCLIP_VOCAB_FILE + " (OpenCLIP) or " + HF_VOCAB_FILE + " + " + HF_MERGES_FILE
                + " (HuggingFace)";
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("CLIP BPE tokenizer directory " + dir + " does not exist or is not a directory ("
                    + expected + ")");
        }
        Path gz = dir.resolve(OPENCLIP_VOCAB_FILE);
        if (Files.isRegularFile(gz)) {
            return fromOpenClipVocab(gz);
        }
        Path vocab = dir.resolve(HF_VOCAB_FILE);
        Path merges = dir.resolve(HF_MERGES_FILE);
        boolean hasVocab = Files.isRegularFile(vocab);
        boolean hasMerges = Files.isRegularFile(merges);
        if (hasVocab && hasMerges) {
            return fromHf(vocab, merges);
        }
        String found = hasVocab ? "; found " + HF_VOCAB_FILE + " but no " + HF_MERGES_FILE
                : hasMerges ? "; found " + HF_MERGES_FILE + " but no " + HF_VOCAB_FILE : "";
        throw new IllegalArgumentException("no CLIP BPE tokenizer files in " + dir + ": " + expected + found);
    }

    /** The same vocabulary (and BPE cache) with another text cleaner. */
    public ClipBpeTokenizer withCleaner(TextCleaner cleaner) {
        return cleaner == this.cleaner ? this : new ClipBpeTokenizer(m, cleaner);
    }

    public TextCleaner cleaner() {
        return cleaner;
    }

    // ------------------------------------------------------------------------------------------------ reading

    private static void requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("tokenizer file " + p + " does not exist or is not a regular file");
        }
    }

    private static Model readOpenClip(InputStream raw, String source) throws IOException {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
            // header + the merges OpenCLIP uses (+1 to see whether the file ends right after them)
            lines = readLines(in, source, OPENCLIP_NUM_MERGES + 2);
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(source + ": not a gzip file: " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty merges file");
        }
        int last = Math.min(lines.size() - 1, OPENCLIP_NUM_MERGES);
        List<String[]> merges = new ArrayList<>(last);
        List<Integer> lineNumbers = new ArrayList<>(last);
        for (int i = 1; i <= last; i++) {
            String line = lines.get(i);
            if (line.isEmpty() && allEmptyFrom(lines, i)) {
                break; // a file with fewer merges, ending in a newline
            }
            merges.add(parseMerge(line, source, i + 1));
            lineNumbers.add(i + 1);
        }
        return openClipModel(lines.get(0), merges, lineNumbers, source);
    }

    /** OpenCLIP's vocabulary for these merges; {@code lineNumbers} (one per merge) and {@code source} name errors. */
    private static Model openClipModel(String header, List<String[]> merges, List<Integer> lineNumbers, String source) {
        Model m = new Model();
        m.format = Format.OPENCLIP;
        m.openClipHeader = header;
        m.merges = merges;
        // vocabulary: bytes, bytes + </w>, merges, specials (a later duplicate wins, as in a Python dict)
        List<String> vocab = new ArrayList<>(512 + merges.size() + 2);
        for (int b : BYTE_ORDER) {
            vocab.add(String.valueOf(BYTE_TO_CHAR[b]));
        }
        for (int b : BYTE_ORDER) {
            vocab.add(BYTE_TO_CHAR[b] + END_OF_WORD);
        }
        for (String[] merge : merges) {
            vocab.add(merge[0] + merge[1]);
        }
        vocab.add(OPENCLIP_SOT);
        vocab.add(OPENCLIP_EOT);
        m.idToToken = vocab.toArray(new String[0]);
        m.tokenToId = new HashMap<>(vocab.size() * 2);
        for (int i = 0; i < vocab.size(); i++) {
            m.tokenToId.put(vocab.get(i), i);
        }
        build(m, List.of(OPENCLIP_SOT, OPENCLIP_EOT), source, lineNumbers, source);
        return m;
    }

    private static boolean allEmptyFrom(List<String> lines, int i) {
        for (int k = i; k < lines.size(); k++) {
            if (!lines.get(k).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code tuple(line.split())}, which must have two symbols. */
    private static String[] parseMerge(String line, String source, int lineNumber) {
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && TextCleaner.isPythonWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !TextCleaner.isPythonWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                parts.add(line.substring(start, i));
            }
        }
        if (parts.size() != 2) {
            throw new IllegalArgumentException(source + ": line " + lineNumber + ": malformed merge '" + line
                    + "' (expected two symbols separated by a space)");
        }
        return parts.toArray(new String[0]);
    }

    /** Lines split on '\n' only, like Python's {@code split('\n')}; strict UTF-8. */
    private static List<String> readLines(InputStream in, String source, int maxLines) throws IOException {
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(64);
        char[] buf = new char[1 << 16];
        int n;
        try {
            outer:
            while ((n = r.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        lines.add(line.toString());
                        line.setLength(0);
                        if (lines.size() >= maxLines) {
                            break outer;
                        }
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + ": not valid UTF-8 (after line " + (lines.size() + 1) + ")", e);
        }
        if (lines.size() < maxLines) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Derives the BPE tables and the pre-tokeniser from idToToken/tokenToId/merges. */
    private static void build(Model m, List<String> specials, String mergesSource, List<Integer> lineNumbers,
                              String vocabSource) {
        for (int b = 0; b < 256; b++) {
            String ch = String.valueOf(BYTE_TO_CHAR[b]);
            m.byteToId[b] = idOf(m, ch, vocabSource);
            m.byteToEndId[b] = m.gpt2 ? m.byteToId[b] : idOf(m, ch + END_OF_WORD, vocabSource);
        }
        for (String s : specials) {
            m.specialIds.put(s, idOf(m, s, vocabSource));
        }
        m.sot = m.specialIds.get(specials.get(0));
        m.eot = m.specialIds.get(specials.get(specials.size() - 1));
        int count = m.merges.size();
        m.pairRank = new LongIntMap(count);
        m.mergeResult = new int[count];
        for (int rank = 0; rank < count; rank++) {
            String[] merge = m.merges.get(rank);
            Integer a = m.tokenToId.get(merge[0]);
            Integer b = m.tokenToId.get(merge[1]);
            Integer ab = m.tokenToId.get(merge[0] + merge[1]);
            if (a == null || b == null || ab == null) {
                String missing = a == null ? merge[0] : b == null ? merge[1] : merge[0] + merge[1];
                throw new IllegalArgumentException(mergesSource + ": line " + lineNumbers.get(rank) + ": merge '"
                        + merge[0] + " " + merge[1] + "' uses '" + missing + "', which is not in the vocabulary");
            }
            m.pairRank.put(pairKey(a, b), rank); // a repeated pair keeps its last rank, as in Python's dict
            m.mergeResult[rank] = ab;
        }
        m.charToByte = new int[512];
        Arrays.fill(m.charToByte, -1);
        for (int b = 0; b < 256; b++) {
            m.charToByte[BYTE_TO_CHAR[b]] = b;
        }
        m.pattern = m.gpt2 ? gpt2Pretokenizer(specials) : pretokenizer(specials);
    }

    /** GPT-2's pre-tokeniser (case-sensitive), after the special tokens. */
    static Pattern gpt2Pretokenizer(List<String> specials) {
        StringBuilder re = new StringBuilder();
        for (String s : specials) {
            re.append(Pattern.quote(s)).append('|');
        }
        re.append("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
        return Pattern.compile(re.toString(), Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The pre-tokeniser regex: the special tokens, then CLIP's pattern (also used by {@link BpeTrainer}). */
    static Pattern pretokenizer(List<String> specials) {
        StringBuilder re = new StringBuilder();
        for (String s : specials) {
            re.append(Pattern.quote(s)).append('|');
        }
        // U+0345 (combining ypogegrammeni) is excluded from the last class because Python's `regex` with IGNORECASE
        // does not match it there (its case variant Ι is a letter) while it is not a letter itself: OpenCLIP drops it.
        re.append("'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}\\x{0345}]+");
        return Pattern.compile(re.toString(),
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** bytes_to_unicode: the printable character standing for a byte (0..255). */
    static char byteChar(int b) {
        return BYTE_TO_CHAR[b];
    }

    private static int idOf(Model m, String token, String source) {
        Integer id = m.tokenToId.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": vocabulary has no token '" + token + "'");
        }
        return id;
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    // ------------------------------------------------------------------------------------------------ encoding

    @Override
    public int[] encode(String text) {
        String cleaned = m.gpt2 ? text : cleaner.clean(text);
        IntBuffer out = new IntBuffer(cleaned.length() / 3 + 4);
        Matcher mt = m.pattern.matcher(cleaned);
        while (mt.find()) {
            String piece = mt.group();
            Integer special = m.specialIds.get(piece);
            if (special != null) {
                out.add(special);
                continue;
            }
            int[] ids = m.cache.get(piece);
            if (ids == null) {
                ids = bpe(piece);
                if (m.cache.size() < MAX_CACHE_ENTRIES) {
                    m.cache.putIfAbsent(piece, ids);
                }
            }
            out.addAll(ids);
        }
        return out.toArray();
    }

    /** OpenCLIP's bpe() on the byte-encoded piece, with symbols as ids. */
    private int[] bpe(String piece) {
        byte[] bytes = utf8(piece);
        int len = bytes.length;
        int[] word = new int[len];
        for (int i = 0; i < len - 1; i++) {
            word[i] = m.byteToId[bytes[i] & 0xFF];
        }
        word[len - 1] = m.byteToEndId[bytes[len - 1] & 0xFF];
        while (len > 1) {
            // the lowest-ranked adjacent pair ...
            int best = Integer.MAX_VALUE;
            int first = -1;
            int second = -1;
            for (int i = 0; i < len - 1; i++) {
                int rank = m.pairRank.get(pairKey(word[i], word[i + 1]));
                if (rank >= 0 && rank < best) {
                    best = rank;
                    first = word[i];
                    second = word[i + 1];
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            // ... merged everywhere, left to right
            int merged = m.mergeResult[best];
            int w = 0;
            for (int i = 0; i < len; ) {
                if (i < len - 1 && word[i] == first && word[i + 1] == second) {
                    word[w++] = merged;
                    i += 2;
                } else {
                    word[w++] = word[i++];
                }
            }
            len = w;
        }
        return Arrays.copyOf(word, len);
    }

    /** UTF-8 bytes; a lone surrogate becomes U+FFFD (Python would refuse to encode it). */
    static byte[] utf8(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 3);
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = 0xFFFD;
            }
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            } else {
                out.write(0xF0 | (c >> 18));
                out.write(0x80 | ((c >> 12) & 0x3F));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        return out.toByteArray();
    }

    /**
     * OpenCLIP's decode ({@code </w>} becomes a space, invalid UTF-8 becomes U+FFFD), except that start/end-of-text
     * ids are skipped and trailing padding ids are dropped, so a row of {@link #tokenize} decodes to its text. (A real
     * token never ends a sequence with id 0, the end-of-word-less {@code "!"}, so trailing zeros are always padding.)
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    @Override
    public String decode(int[] ids) {
        int end = ids.length;
        while (end > 0 && ids[end - 1] == padId()) {
            end--;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(end * 4);
        for (int i = 0; i < end; i++) {
            int id = ids[i];
            if (id == m.sot || id == m.eot) {
                continue;
            }
            String token = idToToken(id);
            if (token == null) {
                throw new IllegalArgumentException("id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
            }
            for (int k = 0; k < token.length(); k++) {
                char c = token.charAt(k);
                int b = c < m.charToByte.length ? m.charToByte[c] : -1;
                if (b < 0) {
                    throw new IllegalArgumentException("token " + id + " '" + token + "' is not byte-level BPE");
                }
                bytes.write(b);
            }
        }
        String text = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        return m.gpt2 ? text : text.replace(END_OF_WORD, " ");
    }

    /** The token string of an id (byte-level, e.g. {@code "photo</w>"}), or null if there is none. */
    public String idToToken(int id) {
        return id >= 0 && id < m.idToToken.length ? m.idToToken[id] : null;
    }

    /** The id of a token string, or -1. */
    public int tokenToId(String token) {
        Integer id = m.tokenToId.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public int vocabSize() {
        return m.idToToken.length;
    }

    @Override
    public int sotId() {
        return m.sot;
    }

    @Override
    public int eotId() {
        return m.eot;
    }

    /** 0, as OpenCLIP pads with zeros (even with HuggingFace files, whose own pad token differs). */
    @Override
    public int padId() {
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ saving

    /**
     * Writes {@value #OPENCLIP_VOCAB_FILE} (header + the merges used) for a tokenizer read from OpenCLIP's file, or
     * {@value #HF_VOCAB_FILE} + {@value #HF_MERGES_FILE} for one read from HuggingFace files. The text cleaner is not
     * saved: {@link #load} gives the default one.
     */
    @Override
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            if (m.format == Format.OPENCLIP) {
                writeAtomically(dir.resolve(OPENCLIP_VOCAB_FILE), out -> {
                    try (Writer w = new OutputStreamWriter(new GZIPOutputStream(out, 1 << 16), StandardCharsets.UTF_8)) {
                        w.write(m.openClipHeader);
                        w.write('\n');
                        writeMerges(w);
                    }
                });
            } else {
                Map<String, Integer> vocab = new LinkedHashMap<>();
                for (int id = 0; id < m.idToToken.length; id++) {
                    if (m.idToToken[id] != null) {
                        vocab.put(m.idToToken[id], id);
                    }
                }
                writeAtomically(dir.resolve(HF_VOCAB_FILE), out -> new ObjectMapper().writeValue(out, vocab));
                writeAtomically(dir.resolve(HF_MERGES_FILE), out -> {
                    try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                        w.write(HF_MERGES_HEADER);
                        w.write('\n');
                        writeMerges(w);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save tokenizer to " + dir, e);
        }
    }

    private void writeMerges(Writer w) throws IOException {
        for (String[] merge : m.merges) {
            w.write(merge[0]);
            w.write(' ');
            w.write(merge[1]);
            w.write('\n');
        }
    }

    private interface OutputWriter {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, OutputWriter writer) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "ClipBpeTokenizer(" + m.format + ", vocab=" + vocabSize() + ", merges=" + m.merges.size() + ", " + cleaner + ")";
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Growable int array. */
    private static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) {
                a = Arrays.copyOf(a, Math.max(n * 2, n + vs.length));
            }
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Open-addressing long -> int map (values >= 0; get returns -1 when absent) for the merge ranks. */
    private static final class LongIntMap {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(4, expected) * 2) * 2; // load factor <= 0.5
            keys = new long[cap];
            values = new int[cap];
            Arrays.fill(values, -1);
            mask = cap - 1;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        void put(long key, int value) {
            int i = slot(key);
            while (values[i] >= 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
        }

        int get(long key) {
            int i = slot(key);
            while (values[i] >= 0) {
                if (keys[i] == key) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return -1;
        }
    }
}
