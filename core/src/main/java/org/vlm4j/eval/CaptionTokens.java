package org.vlm4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tokenisation captioning metrics compare (PTB-like, as pycocoevalcap's PTBTokenizer followed by its punctuation
 * filter): lower-case; punctuation and symbols separate words and are dropped, except a hyphen or apostrophe inside
 * a word ("well-known" is one token); the clitics {@code n't 's 're 've 'll 'd 'm} are split off as the Penn Treebank
 * does ("don't" -> "do n't", "dog's" -> "dog 's"). Unlike the Stanford tokenizer it does not rewrite brackets or
 * quotes (they are dropped either way) and does not split other contractions (e.g. "cannot").
 */
public final class CaptionTokens {
    private static final Pattern SEPARATOR = Pattern.compile("[\\s\\p{P}\\p{S}&&[^'\\-]]+");
    private static final Pattern CLITIC = Pattern.compile("(.+?)(n't|'s|'re|'ve|'ll|'d|'m)");

    private CaptionTokens() {}

    public static List<String> of(String caption) {
        List<String> out = new ArrayList<>();
        for (String raw : SEPARATOR.split(caption.toLowerCase(Locale.ROOT))) {
            String w = raw.replaceAll("^['\\-]+|['\\-]+$", ""); // edge quotes and dashes are punctuation
            if (w.isEmpty()) {
                continue;
            }
            Matcher m = CLITIC.matcher(w);
            if (m.matches()) {
                out.add(m.group(1));
                out.add(m.group(2));
            } else {
                out.add(w);
            }
        }
        return out;
    }
}
