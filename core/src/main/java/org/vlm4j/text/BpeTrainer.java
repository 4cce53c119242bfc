package org.vlm4j.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Trains a CLIP byte-level BPE vocabulary on captions, so that a model trained from scratch gets merges fitted to its
 * own texts. The result is an ordinary {@link ClipBpeTokenizer} ({@link ClipBpeTokenizer#fromMerges}), with ids laid
 * out as in OpenCLIP: 256 bytes, 256 bytes + {@code </w>}, the merges in the order learnt, {@code <start_of_text>},
 * {@code <end_of_text>}.
 *
 * <p>Training sees the text exactly as {@link ClipBpeTokenizer#encode} does: {@link TextCleaner#clean clean} -> CLIP's
 * pre-tokeniser regex -> each piece as UTF-8 bytes through {@code bytes_to_unicode}, its last symbol carrying
 * {@code </w>} (pieces that are special tokens are skipped). Then standard BPE: the word frequencies are counted once,
 * and the most frequent adjacent pair of symbols is merged (everywhere, left to right) until the vocabulary has
 * {@code vocabSize} ids, with the pair counts updated incrementally from the words that held the merged pair. Ties go
 * to the lexicographically smallest pair (first symbols compared as strings, then second symbols), so the merges depend
 * only on the multiset of captions, never on hash or input order. Training stops early when the most frequent pair
 * occurs fewer than {@link #minFrequency()} times (or no pair is left); the vocabulary is then smaller than asked.
 *
 * <p>Instances are immutable configurations; {@code train*} may be called from several threads.
 */
public final class BpeTrainer {

    /** 256 byte symbols + 256 {@code </w>} variants + 2 special tokens: the vocabulary without merges. */
    public static final int MIN_VOCAB_SIZE = 512 + 2;
    /** OpenCLIP's vocabulary size (its merges file keeps at most {@value ClipBpeTokenizer#OPENCLIP_NUM_MERGES}). */
    public static final int MAX_VOCAB_SIZE = 512 + ClipBpeTokenizer.OPENCLIP_NUM_MERGES + 2;
    public static final int DEFAULT_MIN_FREQUENCY = 2;

    /** Header names that mark the caption column of a TSV/CSV file (case-insensitive). */
    private static final Set<String> CAPTION_COLUMNS = Set.of("text", "caption", "title");

    private final int vocabSize;
    private final int minFrequency;
    private final TextCleaner cleaner;

    private BpeTrainer(int vocabSize, int minFrequency, TextCleaner cleaner) {
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        this.cleaner = cleaner;
    }

    /**
     * A trainer for a vocabulary of {@code vocabSize} ids (= 512 byte tokens + merges + 2 special tokens), minimum pair
     * frequency {@value #DEFAULT_MIN_FREQUENCY}, and OpenCLIP's cleaning with the ftfy subset (what
     * {@link ClipBpeTokenizer#load} gives).
     *
     * @throws IllegalArgumentException unless {@value #MIN_VOCAB_SIZE} <= vocabSize <= {@value #MAX_VOCAB_SIZE}
     */
    public static BpeTrainer of(int vocabSize) {
        if (vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabulary size must be between " + MIN_VOCAB_SIZE + " (256 bytes + 256"
                    + " bytes with </w> + 2 special tokens) and " + MAX_VOCAB_SIZE + " (OpenCLIP's), got " + vocabSize);
        }
        return new BpeTrainer(vocabSize, DEFAULT_MIN_FREQUENCY, TextCleaner.openClip(true));
    }

    /**
     * The same trainer, stopping when the most frequent pair occurs fewer than {@code minFrequency} times.
     *
     * @throws IllegalArgumentException if {@code minFrequency < 1}
     */
    public BpeTrainer withMinFrequency(int minFrequency) {
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minimum pair frequency must be at least 1, got " + minFrequency);
        }
        return new BpeTrainer(vocabSize, minFrequency, cleaner);
    }

    /** The same trainer with another text cleaner (the trained tokenizer then uses it too). */
    public BpeTrainer withCleaner(TextCleaner cleaner) {
        return new BpeTrainer(vocabSize, minFrequency, java.util.Objects.requireNonNull(cleaner, "cleaner"));
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int minFrequency() {
        return minFrequency;
    }

    public TextCleaner cleaner() {
        return cleaner;
    }

    /**
     * What training gave.
     *
     * @param tokenizer    the trained tokenizer (with this trainer's cleaner)
     * @param merges       the merges in the order learnt (each {first, second})
     * @param captions     captions read (blank ones are not counted)
     * @param words        distinct pre-tokenised words
     * @param stoppedEarly whether the vocabulary is smaller than asked (min frequency reached, or no pair left)
     * @param seconds      wall time, reading included
     */
    public record Result(ClipBpeTokenizer tokenizer, List<String[]> merges, long captions, int words,
                         boolean stoppedEarly, double seconds) {
        public int vocabSize() {
            return tokenizer.vocabSize();
        }
    }

    // ------------------------------------------------------------------------------------------------ training

    /** Trains on captions (iterated once; null and blank ones are skipped). */
    public Result train(Iterable<String> captions) {
        long t0 = System.nanoTime();
        WordCounter counter = new WordCounter(cleaner);
        for (String caption : captions) {
            counter.add(caption);
        }
        return finish(counter, t0);
    }

    /**
     * Trains on the captions of files, each read by {@link #forEachCaption} (streamed, never held in memory).
     *
     * @throws IllegalArgumentException if a file is missing or malformed (the message names file and line)
     */
    public Result trainFiles(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no caption files given");
        }
        long t0 = System.nanoTime();
        WordCounter counter = new WordCounter(cleaner);
        for (Path file : files) {
            forEachCaption(file, counter::add);
        }
        return finish(counter, t0);
    }

    private Result finish(WordCounter counter, long t0) {
        List<String[]> merges = new Merger(counter.counts, vocabSize - MIN_VOCAB_SIZE, minFrequency).run();
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMerges(merges).withCleaner(cleaner);
        return new Result(tokenizer, Collections.unmodifiableList(merges), counter.captions, counter.counts.size(),
                tokenizer.vocabSize() < vocabSize, (System.nanoTime() - t0) / 1e9);
    }

    /** Captions -> frequency of each pre-tokenised word (a piece of CLIP's regex). */
    private static final class WordCounter {
        final TextCleaner cleaner;
        final Pattern pattern = ClipBpeTokenizer.pretokenizer(
                List.of(ClipBpeTokenizer.OPENCLIP_SOT, ClipBpeTokenizer.OPENCLIP_EOT));
        final Map<String, long[]> counts = new HashMap<>();
        long captions;

        WordCounter(TextCleaner cleaner) {
            this.cleaner = cleaner;
        }

        void add(String caption) {
            if (caption == null || caption.isBlank()) {
                return;
            }
            captions++;
            Matcher m = pattern.matcher(cleaner.clean(caption));
            while (m.find()) {
                String piece = m.group();
                if (piece.equals(ClipBpeTokenizer.OPENCLIP_SOT) || piece.equals(ClipBpeTokenizer.OPENCLIP_EOT)) {
                    continue; // encode() gives these their special ids; they are not words to learn
                }
                counts.computeIfAbsent(piece, k -> new long[1])[0]++;
            }
        }
    }

    /** One adjacent symbol pair: its count over the corpus and the words that (may) hold it. */
    private static final class Pair {
        final int a;
        final int b;
        long count;
        /** The merge during which this pair was last added to {@code raised}. */
        int raisedAt = -1;
        int[] words = new int[4];
        int nWords;

        Pair(int a, int b) {
            this.a = a;
            this.b = b;
        }

        void addWord(int w) {
            if (nWords > 0 && words[nWords - 1] == w) {
                return;
            }
            if (nWords == words.length) {
                words = Arrays.copyOf(words, nWords * 2);
            }
            words[nWords++] = w;
        }
    }

    /** A queue entry: a pair with the count it had when queued (stale entries are re-queued when polled). */
    private record Entry(long count, Pair pair) {}

    /** Standard BPE over the counted words, with incremental pair counts and a lazily updated max-queue. */
    private static final class Merger {
        final int target;
        final int minFrequency;
        final List<String> symbols = new ArrayList<>();
        final Map<String, Integer> symbolIds = new HashMap<>();
        final int[][] words;
        final int[] lengths;
        final long[] freqs;
        final Map<Long, Pair> pairs = new HashMap<>();
        final PriorityQueue<Entry> queue;
        /** Pairs whose count went up during the current merge (to be queued with their new count). */
        final List<Pair> raised = new ArrayList<>();
        long mergedKey;
        int rank;

        Merger(Map<String, long[]> counts, int target, int minFrequency) {
            this.target = target;
            this.minFrequency = minFrequency;
            for (int b = 0; b < 256; b++) {
                addSymbol(String.valueOf(ClipBpeTokenizer.byteChar(b)));
            }
            for (int b = 0; b < 256; b++) {
                addSymbol(ClipBpeTokenizer.byteChar(b) + ClipBpeTokenizer.END_OF_WORD);
            }
            int n = counts.size();
            words = new int[n][];
            lengths = new int[n];
            freqs = new long[n];
            int w = 0;
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                byte[] bytes = ClipBpeTokenizer.utf8(e.getKey());
                int[] s = new int[bytes.length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = (bytes[i] & 0xFF) + (i == s.length - 1 ? 256 : 0);
                }
                words[w] = s;
                lengths[w] = s.length;
                freqs[w] = e.getValue()[0];
                for (int i = 0; i + 1 < s.length; i++) {
                    Pair p = pair(s[i], s[i + 1]);
                    p.count += freqs[w];
                    p.addWord(w);
                }
                w++;
            }
            queue = new PriorityQueue<>(Math.max(16, pairs.size()), this::compare);
            for (Pair p : pairs.values()) {
                queue.add(new Entry(p.count, p));
            }
        }

        /** Higher count first, then the lexicographically smaller (first, second) symbol strings. */
        int compare(Entry x, Entry y) {
            int c = Long.compare(y.count, x.count);
            if (c == 0) {
                c = symbols.get(x.pair.a).compareTo(symbols.get(y.pair.a));
            }
            if (c == 0) {
                c = symbols.get(x.pair.b).compareTo(symbols.get(y.pair.b));
            }
            return c;
        }

        int addSymbol(String s) {
            Integer id = symbolIds.get(s);
            if (id == null) {
                id = symbols.size();
                symbols.add(s);
                symbolIds.put(s, id);
            }
            return id;
        }

        static long key(int a, int b) {
            return ((long) a << 32) | (b & 0xFFFFFFFFL);
        }

        Pair pair(int a, int b) {
            return pairs.computeIfAbsent(key(a, b), k -> new Pair(a, b));
        }

        List<String[]> run() {
            List<String[]> merges = new ArrayList<>(target);
            int[] visited = new int[words.length];
            Arrays.fill(visited, -1);
            while (merges.size() < target) {
                Entry top = queue.poll();
                if (top == null) {
                    break; // every word is a single symbol
                }
                Pair p = top.pair;
                if (top.count != p.count) {
                    if (p.count > 0) {
                        queue.add(new Entry(p.count, p));
                    }
                    continue;
                }
                if (p.count < minFrequency || p.count == 0) {
                    break;
                }
                String first = symbols.get(p.a);
                String second = symbols.get(p.b);
                // A string made before by another pair (e.g. "ab"+"c" then "a"+"bc") stays one symbol, as encode()
                // maps both merges to the same token.
                int merged = addSymbol(first + second);
                rank = merges.size();
                merges.add(new String[] {first, second});
                mergedKey = key(p.a, p.b);
                int[] holders = p.words;
                int nHolders = p.nWords;
                p.count = 0; // left-to-right merging leaves no occurrence of the pair
                p.words = new int[4];
                p.nWords = 0;
                for (int i = 0; i < nHolders; i++) {
                    int w = holders[i];
                    if (visited[w] != rank) {
                        visited[w] = rank;
                        merge(w, p.a, p.b, merged);
                    }
                }
                for (Pair r : raised) {
                    if (r.count > 0) {
                        queue.add(new Entry(r.count, r));
                    }
                }
                raised.clear();
            }
            return merges;
        }

        /** Merges (a, b) into ab in word w, left to right, updating the pair counts of its neighbours. */
        void merge(int w, int a, int b, int ab) {
            int[] s = words[w];
            int n = lengths[w];
            long f = freqs[w];
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    if (out > 0) {
                        update(s[out - 1], a, -f, w);
                        update(s[out - 1], ab, f, w);
                    }
                    if (i + 2 < n) {
                        update(b, s[i + 2], -f, w);
                        update(ab, s[i + 2], f, w);
                    }
                    s[out++] = ab;
                    i += 2;
                } else {
                    s[out++] = s[i++];
                }
            }
            lengths[w] = out;
        }

        void update(int x, int y, long delta, int w) {
            long k = key(x, y);
            if (k == mergedKey) {
                return; // the merged pair: none is left, its count is already 0
            }
            Pair p = pairs.get(k);
            if (p == null) {
                p = new Pair(x, y);
                pairs.put(k, p);
            }
            p.count += delta;
            if (delta > 0) {
                p.addWord(w);
                if (p.raisedAt != rank) {
                    p.raisedAt = rank;
                    raised.add(p);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * The captions of a file (see {@link #forEachCaption}), as a list.
     *
     * @throws IllegalArgumentException if the file is missing or malformed
     */
    public static List<String> readCaptions(Path file) {
        List<String> captions = new ArrayList<>();
        forEachCaption(file, captions::add);
        return captions;
    }

    /**
     * Streams the captions of one file to {@code sink}; blank lines and empty captions are skipped. By name
     * (a {@code .gz} suffix is decompressed first):
     * <ul>
     *   <li>{@code .tsv}: tab-separated; {@code .csv}: comma-separated with RFC 4180 quoting ({@code "..."},
     *       {@code ""} for a quote, line breaks inside quotes). If the first row names a {@code text},
     *       {@code caption} or {@code title} column (case-insensitive) it is a header and that column holds the
     *       captions; otherwise every row is data and the caption is column 2 ({@code image<TAB>caption}). In a TSV
     *       a field wholly in double quotes is unquoted.</li>
     *   <li>{@code .txt}: one caption per line.</li>
     *   <li>anything else: a TSV if its first non-blank line has a tab, else one caption per line.</li>
     * </ul>
     * Text is UTF-8 (a leading byte-order mark is dropped; invalid bytes become U+FFFD).
     *
     * @throws IllegalArgumentException if the file does not exist, or a row has no caption column (naming file and
     *                                  line)
     */
    public static void forEachCaption(Path file, Consumer<String> sink) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("caption file " + file + " does not exist or is not a regular file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gz = name.endsWith(".gz");
        if (gz) {
            name = name.substring(0, name.length() - 3);
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                     .onMalformedInput(CodingErrorAction.REPLACE)
                     .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16)) {
            r.mark(1);
            if (r.read() != '\uFEFF') {
                r.reset();
            }
            String source = file.toString();
            if (name.endsWith(".csv")) {
                readTable(new CsvRows(r, ',', source), source, sink);
            } else if (name.endsWith(".tsv")) {
                readTable(new TsvRows(r, null), source, sink);
            } else if (name.endsWith(".txt")) {
                readLines(r, sink);
            } else {
                String line;
                while ((line = r.readLine()) != null && line.isBlank()) {
                    // skip leading blank lines to see the first row
                }
                if (line == null) {
                    return;
                }
                if (line.indexOf('\t') >= 0) {
                    readTable(new TsvRows(r, line), source, sink);
                } else {
                    sink.accept(line);
                    readLines(r, sink);
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(file + ": not a gzip file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void readLines(BufferedReader r, Consumer<String> sink) throws IOException {
        String line;
        while ((line = r.readLine()) != null) {
            if (!line.isBlank()) {
                sink.accept(line);
            }
        }
    }

    /** Rows of a delimited file; {@link #line()} is the line the last row started on. */
    private interface Rows {
        List<String> next() throws IOException;

        int line();
    }

    private static void readTable(Rows rows, String source, Consumer<String> sink) throws IOException {
        int column = 1;
        boolean first = true;
        List<String> row;
        while ((row = rows.next()) != null) {
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue; // blank line
            }
            if (first) {
                first = false;
                int named = -1;
                for (int i = 0; i < row.size() && named < 0; i++) {
                    if (CAPTION_COLUMNS.contains(row.get(i).strip().toLowerCase(Locale.ROOT))) {
                        named = i;
                    }
                }
                if (named >= 0) {
                    column = named;
                    continue; // the header
                }
            }
            if (row.size() <= column) {
                throw new IllegalArgumentException(source + ": line " + rows.line() + ": " + row.size() + " column"
                        + (row.size() == 1 ? "" : "s") + ", expected the caption in column " + (column + 1)
                        + (column == 1 ? " (image<TAB>caption), or a header row naming a text, caption or title column"
                        : ""));
            }
            String caption = row.get(column);
            if (!caption.isBlank()) {
                sink.accept(caption);
            }
        }
    }

    /** Tab-separated rows, one per line. */
    private static final class TsvRows implements Rows {
        private final BufferedReader r;
        private String pending;
        private int line;

        TsvRows(BufferedReader r, String firstLine) {
            this.r = r;
            this.pending = firstLine;
        }

        @Override
        public List<String> next() throws IOException {
            String s = pending != null ? pending : r.readLine();
            pending = null;
            if (s == null) {
                return null;
            }
            line++;
            List<String> fields = new ArrayList<>(Arrays.asList(s.split("\t", -1)));
            for (int i = 0; i < fields.size(); i++) {
                String f = fields.get(i);
                if (f.length() >= 2 && f.charAt(0) == '"' && f.charAt(f.length() - 1) == '"') {
                    fields.set(i, f.substring(1, f.length() - 1).replace("\"\"", "\""));
                }
            }
            return fields;
        }

        @Override
        public int line() {
            return line;
        }
    }

    /** RFC 4180 rows: quoted fields may hold delimiters, {@code ""} and line breaks. */
    private static final class CsvRows implements Rows {
        private final Reader r;
        private final char delimiter;
        private final String source;
        private int nextLine = 1;
        private int rowLine;
        private boolean eof;

        CsvRows(Reader r, char delimiter, String source) {
            this.r = r;
            this.delimiter = delimiter;
            this.source = source;
        }

        @Override
        public List<String> next() throws IOException {
            if (eof) {
                return null;
            }
            rowLine = nextLine;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            int c;
            while (true) {
                c = r.read();
                if (c < 0) {
                    eof = true;
                    if (!any && fields.isEmpty()) {
                        return null;
                    }
                    if (quoted) {
                        throw new IllegalArgumentException(source + ": line " + rowLine + ": unterminated quoted field");
                    }
                    break;
                }
                any = true;
                if (quoted) {
                    if (c == '"') {
                        r.mark(1);
                        int d = r.read();
                        if (d == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            if (d >= 0) {
                                r.reset();
                            }
                        }
                    } else {
                        if (c == '\n') {
                            nextLine++;
                        }
                        field.append((char) c);
                    }
                } else if (c == '"' && field.length() == 0) {
                    quoted = true;
                } else if (c == delimiter) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else if (c == '\n') {
                    nextLine++;
                    break;
                } else if (c != '\r') {
                    field.append((char) c);
                }
            }
            fields.add(field.toString());
            return fields;
        }

        @Override
        public int line() {
            return rowLine;
        }
    }
}
