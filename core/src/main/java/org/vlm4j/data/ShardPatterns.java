package org.vlm4j.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shard lists in WebDataset's notation: brace ranges {@code data-{000..127}.tar} (zero-padded to the width of the
 * bounds when a bound has a leading zero, as Python's {@code braceexpand}; descending ranges allowed), brace lists
 * {@code {train,val}-0.tar}, any number and nesting of braces, several patterns joined with {@code ::}, and glob
 * characters ({@code * ? [..]}) in the file name part, matched against the directory's listing (sorted).
 */
public final class ShardPatterns {
    /** Refuse patterns that expand to more names than this (a typo like {@code {0..99999999}}). */
    public static final int MAX_EXPANSION = 1_000_000;

    private static final Pattern RANGE = Pattern.compile("(-?\\d+)\\.\\.(-?\\d+)");

    private ShardPatterns() {}

    /** Whether {@code spec} uses brace or glob syntax (so it names shards rather than one file or folder). */
    public static boolean isPattern(String spec) {
        return spec.contains("{") || spec.contains("::") || hasGlob(spec);
    }

    /**
     * Brace expansion only (no file system access), in order. {@code "a{1..3}b"} gives {@code a1b, a2b, a3b}.
     *
     * @throws IllegalArgumentException for unbalanced braces or an expansion larger than {@link #MAX_EXPANSION}
     */
    public static List<String> expandBraces(String pattern) {
        List<String> out = new ArrayList<>();
        for (String part : pattern.split("::", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            expandInto(part, out, pattern);
        }
        return out;
    }

    /**
     * Expands braces and globs into shard paths, in order. Names without glob characters are returned whether or
     * not the file exists (the caller decides what a missing shard means); globs return the existing matches.
     */
    public static List<Path> expand(String pattern) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String name : expandBraces(pattern)) {
            if (!hasGlob(name)) {
                out.add(Path.of(name));
                continue;
            }
            Path p = Path.of(name);
            Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
            if (hasGlob(dir.toString())) {
                throw new IllegalArgumentException("shard pattern '" + pattern
                        + "': glob characters are only supported in the file name, not in '" + dir + "'");
            }
            if (!Files.isDirectory(dir)) {
                continue;
            }
            PathMatcher m = dir.getFileSystem().getPathMatcher("glob:" + p.getFileName());
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path f : ds) {
                    if (m.matches(f.getFileName()) && Files.isRegularFile(f)) {
                        found.add(p.getParent() == null ? f.getFileName() : f);
                    }
                }
            }
            found.sort(null);
            out.addAll(found);
        }
        return out;
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static void expandInto(String s, List<String> out, String whole) {
        int open = s.indexOf('{');
        if (open < 0) {
            if (s.indexOf('}') >= 0) {
                throw new IllegalArgumentException("shard pattern '" + whole + "': unbalanced '}'");
            }
            add(out, s, whole);
            return;
        }
        int depth = 0;
        int close = -1;
        List<Integer> commas = new ArrayList<>();
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    close = i;
                    break;
                }
            } else if (c == ',' && depth == 1) {
                commas.add(i);
            }
        }
        if (close < 0) {
            throw new IllegalArgumentException("shard pattern '" + whole + "': unbalanced '{'");
        }
        String prefix = s.substring(0, open);
        if (prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("shard pattern '" + whole + "': unbalanced '}'");
        }
        String body = s.substring(open + 1, close);
        String suffix = s.substring(close + 1);
        List<String> alternatives = new ArrayList<>();
        Matcher r = RANGE.matcher(body);
        if (commas.isEmpty() && r.matches()) {
            String a = r.group(1);
            String b = r.group(2);
            long from = Long.parseLong(a);
            long to = Long.parseLong(b);
            if (Math.abs(to - from) + 1 > MAX_EXPANSION) {
                throw new IllegalArgumentException("shard pattern '" + whole + "': range {" + body + "} has more than "
                        + MAX_EXPANSION + " values");
            }
            boolean pad = leadingZero(a) || leadingZero(b);
            int width = pad ? Math.max(a.length(), b.length()) : 0;
            long step = from <= to ? 1 : -1;
            for (long v = from; ; v += step) {
                alternatives.add(pad ? pad(v, width) : Long.toString(v));
                if (v == to) {
                    break;
                }
            }
        } else if (commas.isEmpty()) {
            // Like bash, a brace group without a comma or range is literal.
            List<String> tails = new ArrayList<>();
            expandInto(suffix, tails, whole);
            for (String tail : tails) {
                add(out, prefix + "{" + body + "}" + tail, whole);
            }
            return;
        } else {
            int start = open + 1;
            for (int c : commas) {
                alternatives.add(s.substring(start, c));
                start = c + 1;
            }
            alternatives.add(s.substring(start, close));
        }
        for (String alt : alternatives) {
            expandInto(prefix + alt + suffix, out, whole);
        }
    }

    private static void add(List<String> out, String s, String whole) {
        if (out.size() >= MAX_EXPANSION) {
            throw new IllegalArgumentException("shard pattern '" + whole + "' expands to more than " + MAX_EXPANSION
                    + " names");
        }
        out.add(s);
    }

    private static boolean leadingZero(String n) {
        String d = n.startsWith("-") ? n.substring(1) : n;
        return d.length() > 1 && d.charAt(0) == '0';
    }

    private static String pad(long v, int width) {
        String d = Long.toString(Math.abs(v));
        StringBuilder sb = new StringBuilder();
        if (v < 0) {
            sb.append('-');
            width--;
        }
        for (int i = d.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(d).toString();
    }
}
