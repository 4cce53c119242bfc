package org.vlm4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A {@code .tsv} or {@code .csv} table of images and captions.
 *
 * <p><b>Format.</b> CSV is RFC 4180 (quotes around cells with commas, quotes or line breaks; {@code ""} inside
 * quotes). TSV is one row per line, cells split on tabs, no quoting (a {@code "} is an ordinary character, as in
 * most captioned-image TSVs). Both are UTF-8 (a leading BOM is ignored); blank lines are ignored.
 *
 * <p><b>Columns.</b> The first row is a header if one of its cells is {@code image} (case-insensitive); the
 * caption column is then {@code text} or else {@code caption}, and a header with neither is an error. Without a
 * header, column 0 is the image and column 1 the caption. All other columns are kept as metadata, named by the
 * header (or {@code col2}, {@code col3}, ... without one). Every entry's metadata also holds {@code __key__}: the
 * image path as written in the table.
 *
 * <p><b>Paths</b> are relative to the table's folder. An absolute path, or one that climbs out of the folder
 * with {@code ..}, is refused: the row is skipped as {@link SkipReason#PATH_OUTSIDE_ROOT} (never read). The check is
 * lexical; symbolic links inside the folder are followed.
 *
 * <p><b>Bad rows</b> stay in the index as skipped entries: an empty image cell ({@code missing_image}), a missing
 * or blank caption ({@code missing_caption}), a caption cell with bytes that are not UTF-8
 * ({@code caption_not_utf8}); a parse error (e.g. an unterminated quote in CSV) keeps the rows before it and counts
 * one {@code malformed_table}. Missing and corrupt image files are found when the loader reads them.
 */
final class TableDataset extends ImageTextDataset.Indexed {
    /** Replacement for undecodable bytes: a noncharacter that valid text practically never holds. */
    private static final char BAD = '\uFFFF';

    private final Path file;
    private final List<String> columns;

    private TableDataset(String spec, Path file, List<String> columns, List<Sample> entries) {
        super(spec, entries);
        this.file = file;
        this.columns = columns;
    }

    @Override
    public Kind kind() {
        return Kind.TABLE;
    }

    /** The header (or the default names when there is none). */
    List<String> columns() {
        return columns;
    }

    Path file() {
        return file;
    }

    static TableDataset read(String spec, Path file) throws IOException {
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        CSVFormat format = csv
                ? CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get()
                : CSVFormat.TDF.builder().setQuote(null).setEscape(null).setIgnoreSurroundingSpaces(false)
                        .setTrim(false).setIgnoreEmptyLines(true).get();
        Path root = file.toAbsolutePath().getParent();
        List<Sample> entries = new ArrayList<>();
        List<String> header = null;
        int imageCol = 0;
        int textCol = 1;
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).replaceWith(String.valueOf(BAD));
        try (InputStream in = Files.newInputStream(file);
             Reader reader = new InputStreamReader(in, dec);
             CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get()) {
            Iterator<CSVRecord> it = parser.iterator();
            boolean first = true;
            while (true) {
                CSVRecord rec;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    String msg = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                            : e.getMessage();
                    entries.add(Sample.bad(file + ":" + (parser.getCurrentLineNumber()), SkipReason.MALFORMED_TABLE,
                            file + ": cannot parse past line " + parser.getCurrentLineNumber() + " (" + oneLine(msg)
                                    + "); the rows before it are kept"));
                    break;
                }
                List<String> cells = rec.toList();
                if (first) {
                    first = false;
                    if (!cells.isEmpty() && !cells.get(0).isEmpty() && cells.get(0).charAt(0) == '\uFEFF') {
                        cells = new ArrayList<>(cells);
                        cells.set(0, cells.get(0).substring(1));
                    }
                    int img = indexOf(cells, "image");
                    if (img >= 0) {
                        int txt = indexOf(cells, "text");
                        if (txt < 0) {
                            txt = indexOf(cells, "caption");
                        }
                        if (txt < 0) {
                            throw new DataSpecException(spec, "the header names an 'image' column but no 'text' or "
                                    + "'caption' column: " + cells);
                        }
                        header = List.copyOf(cells);
                        imageCol = img;
                        textCol = txt;
                        continue;
                    }
                }
                entries.add(row(file, root, rec.getRecordNumber(), cells, header, imageCol, textCol));
            }
        }
        if (entries.isEmpty()) {
            throw new DataSpecException(spec, "matches nothing (the table has no rows"
                    + (header != null ? " after its header" : "") + ")");
        }
        List<String> cols = header != null ? header : List.of("image", "text");
        return new TableDataset(spec, file, cols, entries);
    }

    private static Sample row(Path file, Path root, long rowNumber, List<String> cells, List<String> header,
                              int imageCol, int textCol) {
        String image = imageCol < cells.size() ? cells.get(imageCol).strip() : "";
        String where = file + " row " + rowNumber;
        String key = image.isEmpty() ? where : image;
        if (image.isEmpty()) {
            return Sample.bad(key, SkipReason.MISSING_IMAGE, where + ": no image path");
        }
        if (!insideRoot(image.replace(BAD, '_'))) {
            return Sample.bad(key, SkipReason.PATH_OUTSIDE_ROOT, where + ": image path '" + image
                    + "' is outside the table's folder (absolute or climbing out with ..)");
        }
        String caption = textCol < cells.size() ? cells.get(textCol) : null;
        if (caption != null && caption.indexOf(BAD) >= 0) {
            return Sample.bad(key, SkipReason.CAPTION_NOT_UTF8, where + ": caption is not valid UTF-8");
        }
        if (caption == null || caption.isBlank()) {
            return Sample.bad(key, SkipReason.MISSING_CAPTION, where + ": no caption for " + image);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("__key__", image);
        for (int i = 0; i < cells.size(); i++) {
            if (i == imageCol || i == textCol) {
                continue;
            }
            String name = header != null && i < header.size() ? header.get(i) : "col" + i;
            meta.put(name, cells.get(i).replace(BAD, '\uFFFD'));
        }
        Path path = root.resolve(image.replace(BAD, '\uFFFD')).normalize();
        return Sample.good(key, new Sample.FileRef(path), caption.strip(), Collections.unmodifiableMap(meta));
    }

    private static int indexOf(List<String> cells, String name) {
        for (int i = 0; i < cells.size(); i++) {
            if (cells.get(i).strip().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
