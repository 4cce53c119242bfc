package org.vlm4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.io.AtomicFiles;

/**
 * Shapes: a synthetic, compositional image–caption dataset for training and testing small vision-language models
 * in seconds. Each scene is a few coloured shapes on a dark grey background, drawn with Java2D (antialiased, no
 * text, so no dependence on system fonts), with a caption such as {@code "a large red circle left of a small blue
 * square"}.
 *
 * <p><b>Vocabulary.</b> Colours {@link #COLORS} (red, green, blue, yellow, purple, orange, white, cyan), shapes
 * {@link #SHAPES} (circle, square, triangle, star, cross, diamond), sizes small/large, relations
 * {@link #RELATIONS} (left of, right of, above, below). {@link Config#colors()} / {@link Config#shapes()} use only
 * the first {@code n} of each (defaults: all 8 and 6, so 48 colour×shape classes).
 *
 * <p><b>Scenes.</b> 1 shape (50%), 2 shapes (35%) or 3 shapes (15%). A single shape is small or large (50/50);
 * with several, the first-named is always the large one and the others are small, so the first-named shape (the
 * {@code color}/{@code shape} columns, the zero-shot class) is the most salient. Caption grammar: {@code a <size>
 * <colour> <shape>}, then for two shapes {@code <relation> a <size> <colour> <shape>} (the relation of the first to
 * the second; the shapes are placed so it holds with a clear margin: "left of" means entirely to the left, the
 * vertical offset at most half the horizontal), and for a third {@code and a small <colour> <shape>} (anywhere,
 * not overlapping). Colours are jittered by ±16 per channel, the background is grey level 16–64, sizes are
 * 22–28% (small) and 40–48% (large) of the image side, positions uniform.
 *
 * <p><b>Held-out compositions.</b> Colour {@code i} and shape {@code j} (indices in the lists above) are held out iff
 * {@code (i - j) mod shapes == 0}: with the defaults, red circle, green square, blue triangle, yellow star, purple
 * cross, orange diamond, white circle, cyan square (each colour exactly once, every held-out shape seen with other
 * colours). No shape in any train or val scene has a held-out composition; every heldout scene's first-named shape
 * has one (its other shapes are seen compositions).
 *
 * <p><b>Splits</b> of {@code count} scenes: train ⌊0.8·count⌋, val ⌊0.1·count⌋ (seen compositions, new images),
 * heldout the rest. Scene {@code k} of a split is a pure function of {@code (seed, split, k, size, colors, shapes)}.
 *
 * <p><b>Winoground</b> pairs (default ⌊count/10⌋, at least 1): even pairs swap attributes ({@code "a red circle and
 * an orange square"} / {@code "an orange circle and a red square"}: same places, colours exchanged), odd pairs swap a
 * relation ({@code "a red circle left of a blue square"} / {@code "a blue square left of a red circle"}: same
 * places, shapes exchanged). Both shapes are the same size, so a pair tests binding and order only. The two captions
 * are permutations of the same words. Pairs 0, 1 of every 4 use seen compositions only; pairs 2, 3 hold at least
 * one held-out composition ({@link #winogroundHeldOut}; column {@code heldout}), testing binding on unseen ones.
 *
 * <p><b>Files</b> (each written to a temporary sibling and renamed into place; the tables, lists and shards are
 * also forced to disk, single images are not):
 * <ul>
 *   <li>{@code train.tsv}, {@code val.tsv}, {@code heldout.tsv} with columns {@code image text color shape size
 *       count relation color2 shape2 size2 color3 shape3 size3 negative short short_negative} (color/shape/size of
 *       the first-named shape; empty cells where a scene has fewer shapes; {@code negative}: the caption with the
 *       first-named shape swapped for another, never a held-out composition — a hard negative that contrastive
 *       training uses, NegCLIP-style; {@code short}: the first-named shape alone, "a large red circle", an
 *       alternative caption for {@link CaptionMix}; {@code short_negative}: the same of the negative) and PNGs under
 *       {@code images/<split>/NNNNNN.png}; or, with
 *       {@link Format#TAR}, WebDataset shards {@code <split>-NNNN.tar} holding {@code NNNNNN.png}, {@code
 *       NNNNNN.txt} and one member per non-empty column ({@code NNNNNN.color}, ...) instead;</li>
 *   <li>{@code winoground.tsv} ({@code image0 image1 text0 text1 heldout kind}, heldout {@code true|false},
 *       kind {@code attribute|relation}) with PNGs
 *       under {@code images/winoground/} (both formats);</li>
 *   <li>(TSV format only) {@code questions.tsv} (the train split), {@code val_questions.tsv},
 *       {@code heldout_questions.tsv}: generated visual questions ({@link ShapesQuestions}), columns {@code image
 *       question answers kind text};</li>
 *   <li>{@code classes.txt} (every colour×shape class, {@code "red circle"}, colour-major),
 *       {@code heldout_classes.txt}, and {@code shapes.json} (settings, vocabulary, counts, data specs).</li>
 * </ul>
 * Output is byte-identical for the same settings on the same JDK and zlib (PNGs by {@link PngEncoder}, no
 * metadata; tar members have fixed times and owners). Scenes are rendered in parallel on {@link ImageWorkers#shared()}.
 */
public final class Shapes {
    public static final List<String> COLORS = List.of("red", "green", "blue", "yellow", "purple", "orange", "white",
            "cyan");
    public static final List<String> SHAPES = List.of("circle", "square", "triangle", "star", "cross", "diamond");
    /**
     * With {@link Format#TSV}, each split also gets a table of its scenes of one shape, {@code <split>_one_shape.tsv}
     * (the same rows and images): zero-shot classification where the class describes the whole picture.
     */
    public static final String ONE_SHAPE_SUFFIX = "_one_shape";
    public static final List<String> RELATIONS = List.of("left of", "right of", "above", "below");
    /** Columns of the split tables, in order. */
    public static final List<String> COLUMNS = List.of("image", "text", "color", "shape", "size", "count", "relation",
            "color2", "shape2", "size2", "color3", "shape3", "size3", "negative", "short", "short_negative");
    public static final List<String> WINOGROUND_COLUMNS = List.of("image0", "image1", "text0", "text1",
            "heldout", "kind");

    private static final int[][] RGB = {
        {220, 40, 40}, {40, 180, 60}, {50, 90, 235}, {240, 220, 40},
        {150, 60, 210}, {245, 140, 30}, {240, 240, 240}, {40, 215, 225}};
    private static final int CHUNK = 64;

    /** The base RGB (0..255) of colour {@code index} of {@link #COLORS} (drawn shapes jitter it by up to 16). */
    public static int[] rgb(int index) {
        return RGB[index].clone();
    }

    private Shapes() {}

    public enum Format { TSV, TAR }

    /**
     * How shapes are drawn: {@link #FILLED} (the default) or {@link #OUTLINE} (the same shapes, same places and
     * colours, stroked with a line of about 1/16 of the shape's side instead of filled) — a style shift for testing
     * robustness: train on one style, test on the other. The style changes only the drawing, never the scenes, so
     * scene {@code k} of two styles shows the same objects.
     */
    public enum Style {
        FILLED, OUTLINE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code filled} or {@code outline} (case-insensitive), or a clear error naming the choices. */
        public static Style of(String id) {
            for (Style st : values()) {
                if (st.id().equalsIgnoreCase(id.strip())) {
                    return st;
                }
            }
            throw new IllegalArgumentException("style must be filled or outline, got '" + id + "'");
        }
    }

    /** The three splits; {@link #id()} is the file stem. */
    public enum Split {
        TRAIN, VAL, HELDOUT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Generator settings.
     *
     * @param count           scenes over the three splits, &gt; 0
     * @param seed            everything is a function of it
     * @param size            image side in pixels (16..1024, default 64)
     * @param format          {@link Format#TSV} (PNG files + tables) or {@link Format#TAR} (shards)
     * @param colors          use the first {@code colors} of {@link #COLORS} (2..8)
     * @param shapes          use the first {@code shapes} of {@link #SHAPES} (2..6)
     * @param shardSize       scenes per tar shard (&gt; 0)
     * @param winogroundPairs pairs to write; negative for the default ⌊count/10⌋ (at least 1)
     * @param style           how shapes are drawn (default {@link Style#FILLED})
     */
    public record Config(int count, long seed, int size, Format format, int colors, int shapes, int shardSize,
                         int winogroundPairs, Style style) {
        public Config(int count, long seed, int size, Format format, int colors, int shapes, int shardSize,
                      int winogroundPairs) {
            this(count, seed, size, format, colors, shapes, shardSize, winogroundPairs, Style.FILLED);
        }

        public Config {
            Objects.requireNonNull(style, "style");
            if (count <= 0) {
                throw new IllegalArgumentException("count must be positive, got " + count);
            }
            if (size < 16 || size > 1024) {
                throw new IllegalArgumentException("size must be 16..1024 pixels, got " + size);
            }
            Objects.requireNonNull(format, "format");
            if (colors < 2 || colors > COLORS.size()) {
                throw new IllegalArgumentException("colors must be 2.." + COLORS.size() + ", got " + colors);
            }
            if (shapes < 2 || shapes > SHAPES.size()) {
                throw new IllegalArgumentException("shapes must be 2.." + SHAPES.size() + ", got " + shapes);
            }
            if (shardSize <= 0) {
                throw new IllegalArgumentException("shardSize must be positive, got " + shardSize);
            }
            if (winogroundPairs < 0) {
                winogroundPairs = Math.max(1, count / 10);
            }
        }

        /** {@code count} scenes at 64 px, all colours and shapes, PNG + TSV, 1000 scenes per shard. */
        public static Config of(int count, long seed) {
            return new Config(count, seed, 64, Format.TSV, COLORS.size(), SHAPES.size(), 1000, -1);
        }

        public Config withSize(int px) {
            return new Config(count, seed, px, format, colors, shapes, shardSize, winogroundPairs, style);
        }

        public Config withFormat(Format f) {
            return new Config(count, seed, size, f, colors, shapes, shardSize, winogroundPairs, style);
        }

        public Config withVocabulary(int nColors, int nShapes) {
            return new Config(count, seed, size, format, nColors, nShapes, shardSize, winogroundPairs, style);
        }

        public Config withShardSize(int n) {
            return new Config(count, seed, size, format, colors, shapes, n, winogroundPairs, style);
        }

        public Config withWinogroundPairs(int n) {
            return new Config(count, seed, size, format, colors, shapes, shardSize, n, style);
        }

        /** The same scenes drawn in another style. */
        public Config withStyle(Style st) {
            return new Config(count, seed, size, format, colors, shapes, shardSize, winogroundPairs, st);
        }

        public int trainCount() {
            return (int) (count * 8L / 10);
        }

        public int valCount() {
            return count / 10;
        }

        public int heldoutCount() {
            return count - trainCount() - valCount();
        }

        public int count(Split s) {
            return switch (s) {
                case TRAIN -> trainCount();
                case VAL -> valCount();
                case HELDOUT -> heldoutCount();
            };
        }

        /** The held-out rule: colour {@code c} with shape {@code s} iff {@code (c - s) mod shapes == 0}. */
        public boolean isHeldOut(int color, int shape) {
            return Math.floorMod(color - shape, shapes) == 0;
        }

        /** {@link #isHeldOut(int, int)} by name; false for words outside this vocabulary. */
        public boolean isHeldOut(String color, String shape) {
            int c = COLORS.indexOf(color);
            int s = SHAPES.indexOf(shape);
            return c >= 0 && c < colors && s >= 0 && s < shapes && isHeldOut(c, s);
        }

        /** Every colour×shape class name ({@code "red circle"}), colour-major. */
        public List<String> classNames() {
            List<String> out = new ArrayList<>();
            for (int c = 0; c < colors; c++) {
                for (int s = 0; s < shapes; s++) {
                    out.add(COLORS.get(c) + " " + SHAPES.get(s));
                }
            }
            return out;
        }

        /** The held-out class names, colour-major. */
        public List<String> heldOutClassNames() {
            List<String> out = new ArrayList<>();
            for (int c = 0; c < colors; c++) {
                for (int s = 0; s < shapes; s++) {
                    if (isHeldOut(c, s)) {
                        out.add(COLORS.get(c) + " " + SHAPES.get(s));
                    }
                }
            }
            return out;
        }
    }

    /**
     * What {@link #generate} wrote.
     *
     * @param data data spec per split ({@code train}, {@code val}, {@code heldout}, {@code winoground}) usable with
     *             {@link ImageTextDataset#open(String)} (winoground: the table of pairs); a split with no scenes has
     *             none with {@link Format#TAR}; with {@link Format#TSV} also {@code train_one_shape},
     *             {@code val_one_shape}, {@code heldout_one_shape} (the scenes of one shape)
     */
    public record Summary(Path out, int train, int val, int heldout, int winoground, Format format,
                          Map<String, String> data) {}

    /** A rendered scene: the picture, its caption and the table fields (COLUMNS minus image and text). */
    public record Scene(BufferedImage image, String caption, Map<String, String> fields) {}

    /** One Winoground pair: two pictures and two captions made of the same words. */
    public record WinogroundPair(BufferedImage image0, BufferedImage image1, String text0, String text1, String kind,
                                 boolean heldOut) {
        public WinogroundPair(BufferedImage image0, BufferedImage image1, String text0, String text1, String kind) {
            this(image0, image1, text0, text1, kind, false);
        }
    }

    /**
     * Whether Winoground pair {@code index} holds a held-out composition: pairs 2, 3 of every 4 (one attribute and
     * one relation swap), so half the pairs test binding on compositions no training image showed.
     */
    public static boolean winogroundHeldOut(int index) {
        return index % 4 >= 2;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Scenes.

    private record Obj(int color, int shape, boolean large, double x, double y, double d, Color rgb) {}

    /** Scene {@code index} of {@code split}: a pure function of the config's seed, size and vocabulary. */
    public static Scene scene(Config cfg, Split split, int index) {
        Rng rng = new Rng(Rng.derive(cfg.seed(), split.ordinal(), index));
        int size = cfg.size();
        double u = rng.nextDouble();
        int n = u < 0.5 ? 1 : u < 0.85 ? 2 : 3;
        int[] first = split == Split.HELDOUT ? pick(rng, cfg, true) : pick(rng, cfg, false);
        boolean firstLarge = n > 1 || rng.nextInt(2) == 1;
        int bg = rng.nextInt(16, 64);
        List<Obj> objs = new ArrayList<>();
        int relation = -1;
        double dA = side(rng, size, firstLarge);
        if (n == 1) {
            double x = rng.nextDouble(1, size - 1 - dA);
            double y = rng.nextDouble(1, size - 1 - dA);
            objs.add(new Obj(first[0], first[1], firstLarge, x, y, dA, jitter(rng, first[0])));
        } else {
            int[] second = pick(rng, cfg, false);
            relation = rng.nextInt(RELATIONS.size());
            double dB = side(rng, size, false);
            double[] place = placePair(rng, size, dA, dB, relation);
            objs.add(new Obj(first[0], first[1], true, place[0], place[1], dA, jitter(rng, first[0])));
            objs.add(new Obj(second[0], second[1], false, place[2], place[3], dB, jitter(rng, second[0])));
            if (n == 3) {
                int[] third = pick(rng, cfg, false);
                double dC = side(rng, size, false);
                Color rgb = jitter(rng, third[0]);
                double gap = Math.max(2, size / 32.0);
                for (int attempt = 0; attempt < 200; attempt++) {
                    double x = rng.nextDouble(1, size - 1 - dC);
                    double y = rng.nextDouble(1, size - 1 - dC);
                    boolean free = true;
                    for (Obj o : objs) {
                        if (x < o.x() + o.d() + gap && o.x() < x + dC + gap && y < o.y() + o.d() + gap
                                && o.y() < y + dC + gap) {
                            free = false;
                            break;
                        }
                    }
                    if (free) {
                        objs.add(new Obj(third[0], third[1], false, x, y, dC, rgb));
                        break;
                    }
                }
            }
        }
        BufferedImage img = draw(cfg.style(), size, bg, objs);
        Map<String, String> f = new LinkedHashMap<>();
        for (String col : COLUMNS.subList(2, COLUMNS.size())) {
            f.put(col, "");
        }
        StringBuilder cap = new StringBuilder();
        for (int i = 0; i < objs.size(); i++) {
            Obj o = objs.get(i);
            String suffix = i == 0 ? "" : Integer.toString(i + 1);
            String sz = o.large() ? "large" : "small";
            f.put("color" + suffix, COLORS.get(o.color()));
            f.put("shape" + suffix, SHAPES.get(o.shape()));
            f.put("size" + suffix, sz);
            if (i == 1) {
                cap.append(' ').append(RELATIONS.get(relation)).append(' ');
            } else if (i == 2) {
                cap.append(" and ");
            }
            cap.append("a ").append(sz).append(' ').append(COLORS.get(o.color())).append(' ')
                    .append(SHAPES.get(o.shape()));
        }
        f.put("count", Integer.toString(objs.size()));
        if (objs.size() > 1) {
            f.put("relation", RELATIONS.get(relation));
        }
        String negative = negative(cfg, objs.get(0), cap.toString(), index);
        f.put("negative", negative);
        f.put("short", firstShape(cap.toString()));
        f.put("short_negative", firstShape(negative));
        return new Scene(img, cap.toString(), Collections.unmodifiableMap(f));
    }

    /**
     * A hard-negative caption (NegCLIP, Yuksekgonul et al. 2023): the caption with the first-named shape replaced by
     * another shape, never forming a held-out composition (so held-out words stay out of training entirely). Which
     * shape is a function of the scene index, so the scene itself is unchanged.
     */
    private static String negative(Config cfg, Obj first, String caption, int index) {
        String color = COLORS.get(first.color());
        int other = first.shape();
        for (int k = 0; k < cfg.shapes(); k++) {
            int cand = Math.floorMod(first.shape() + 1 + index + k, cfg.shapes());
            if (cand != first.shape() && !cfg.isHeldOut(first.color(), cand)) {
                other = cand;
                break;
            }
        }
        if (other == first.shape()) {
            return "";
        }
        String was = color + " " + SHAPES.get(first.shape());
        int at = caption.indexOf(was);
        return caption.substring(0, at) + color + " " + SHAPES.get(other) + caption.substring(at + was.length());
    }

    /** The description of the first-named shape alone ("a large red circle"): a caption's first four words. */
    private static String firstShape(String caption) {
        String[] w = caption.split(" ");
        return w.length < 4 ? caption : String.join(" ", w[0], w[1], w[2], w[3]);
    }

    /** Winoground pair {@code index}: even = attribute swap, odd = relation swap. */
    public static WinogroundPair winoground(Config cfg, int index) {
        Rng rng = new Rng(Rng.derive(cfg.seed(), 3, index));
        int size = cfg.size();
        int bg = rng.nextInt(16, 64);
        double d = rng.nextDouble(0.34, 0.40) * size;
        int relation = rng.nextInt(RELATIONS.size());
        double[] p = placePair(rng, size, d, d, relation);
        boolean held = winogroundHeldOut(index);
        if (held && index % 2 == 0 && attributeSwapExists(cfg)) {
            return heldOutAttributeSwap(cfg, rng, size, bg, d, p);
        }
        if (held && index % 2 == 1) {
            return heldOutRelationSwap(cfg, rng, size, bg, d, p, relation);
        }
        if (index % 2 == 0 && attributeSwapExists(cfg)) {
            int c1;
            int c2;
            int s1;
            int s2;
            do {
                c1 = rng.nextInt(cfg.colors());
                c2 = rng.nextInt(cfg.colors());
                s1 = rng.nextInt(cfg.shapes());
                s2 = rng.nextInt(cfg.shapes());
            } while (c1 == c2 || s1 == s2 || cfg.isHeldOut(c1, s1) || cfg.isHeldOut(c2, s2) || cfg.isHeldOut(c2, s1)
                    || cfg.isHeldOut(c1, s2));
            Color k1 = jitter(rng, c1);
            Color k2 = jitter(rng, c2);
            BufferedImage i0 = draw(cfg.style(), size, bg, List.of(new Obj(c1, s1, false, p[0], p[1], d, k1),
                    new Obj(c2, s2, false, p[2], p[3], d, k2)));
            BufferedImage i1 = draw(cfg.style(), size, bg, List.of(new Obj(c2, s1, false, p[0], p[1], d, k2),
                    new Obj(c1, s2, false, p[2], p[3], d, k1)));
            String t0 = np(c1, s1) + " and " + np(c2, s2);
            String t1 = np(c2, s1) + " and " + np(c1, s2);
            return new WinogroundPair(i0, i1, t0, t1, "attribute");
        }
        int[] a;
        int[] b;
        do {
            a = pick(rng, cfg, false);
            b = pick(rng, cfg, false);
        } while (a[1] == b[1]);
        Color ka = jitter(rng, a[0]);
        Color kb = jitter(rng, b[0]);
        BufferedImage i0 = draw(cfg.style(), size, bg, List.of(new Obj(a[0], a[1], false, p[0], p[1], d, ka),
                new Obj(b[0], b[1], false, p[2], p[3], d, kb)));
        BufferedImage i1 = draw(cfg.style(), size, bg, List.of(new Obj(b[0], b[1], false, p[0], p[1], d, kb),
                new Obj(a[0], a[1], false, p[2], p[3], d, ka)));
        String na = np(a[0], a[1]);
        String nb = np(b[0], b[1]);
        String rel = RELATIONS.get(relation);
        return new WinogroundPair(i0, i1, na + " " + rel + " " + nb, nb + " " + rel + " " + na, "relation");
    }

    /** An attribute swap where at least one of the four compositions is a held-out one. */
    private static WinogroundPair heldOutAttributeSwap(Config cfg, Rng rng, int size, int bg, double d, double[] p) {
        int c1;
        int c2;
        int s1;
        int s2;
        do {
            c1 = rng.nextInt(cfg.colors());
            c2 = rng.nextInt(cfg.colors());
            s1 = rng.nextInt(cfg.shapes());
            s2 = rng.nextInt(cfg.shapes());
        } while (c1 == c2 || s1 == s2 || !(cfg.isHeldOut(c1, s1) || cfg.isHeldOut(c2, s2) || cfg.isHeldOut(c2, s1)
                || cfg.isHeldOut(c1, s2)));
        Color k1 = jitter(rng, c1);
        Color k2 = jitter(rng, c2);
        BufferedImage i0 = draw(cfg.style(), size, bg, List.of(new Obj(c1, s1, false, p[0], p[1], d, k1),
                new Obj(c2, s2, false, p[2], p[3], d, k2)));
        BufferedImage i1 = draw(cfg.style(), size, bg, List.of(new Obj(c2, s1, false, p[0], p[1], d, k2),
                new Obj(c1, s2, false, p[2], p[3], d, k1)));
        return new WinogroundPair(i0, i1, np(c1, s1) + " and " + np(c2, s2), np(c2, s1) + " and " + np(c1, s2),
                "attribute", true);
    }

    /** A relation swap of a held-out composition and a seen one (either named first). */
    private static WinogroundPair heldOutRelationSwap(Config cfg, Rng rng, int size, int bg, double d, double[] p,
                                                      int relation) {
        int[] a;
        int[] b;
        do {
            a = pick(rng, cfg, true);
            b = pick(rng, cfg, false);
        } while (a[1] == b[1]);
        if (rng.nextInt(2) == 1) {
            int[] t = a;
            a = b;
            b = t;
        }
        Color ka = jitter(rng, a[0]);
        Color kb = jitter(rng, b[0]);
        BufferedImage i0 = draw(cfg.style(), size, bg, List.of(new Obj(a[0], a[1], false, p[0], p[1], d, ka),
                new Obj(b[0], b[1], false, p[2], p[3], d, kb)));
        BufferedImage i1 = draw(cfg.style(), size, bg, List.of(new Obj(b[0], b[1], false, p[0], p[1], d, kb),
                new Obj(a[0], a[1], false, p[2], p[3], d, ka)));
        String na = np(a[0], a[1]);
        String nb = np(b[0], b[1]);
        String rel = RELATIONS.get(relation);
        return new WinogroundPair(i0, i1, na + " " + rel + " " + nb, nb + " " + rel + " " + na, "relation", true);
    }

    /**
     * Whether two seen compositions exist whose swapped colours are seen too; small vocabularies (e.g. 2 shapes,
     * where each colour keeps only one seen shape) have none, and then every pair is a relation swap.
     */
    static boolean attributeSwapExists(Config cfg) {
        for (int c1 = 0; c1 < cfg.colors(); c1++) {
            for (int c2 = 0; c2 < cfg.colors(); c2++) {
                for (int s1 = 0; s1 < cfg.shapes(); s1++) {
                    for (int s2 = 0; s2 < cfg.shapes(); s2++) {
                        if (c1 != c2 && s1 != s2 && !cfg.isHeldOut(c1, s1) && !cfg.isHeldOut(c2, s2)
                                && !cfg.isHeldOut(c2, s1) && !cfg.isHeldOut(c1, s2)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** {@code "a red circle"}, {@code "an orange star"}. */
    private static String np(int color, int shape) {
        String c = COLORS.get(color);
        return ("aeiou".indexOf(c.charAt(0)) >= 0 ? "an " : "a ") + c + " " + SHAPES.get(shape);
    }

    /** A (colour, shape) drawn uniformly among the held-out or the seen compositions. */
    private static int[] pick(Rng rng, Config cfg, boolean heldOut) {
        while (true) {
            int c = rng.nextInt(cfg.colors());
            int s = rng.nextInt(cfg.shapes());
            if (cfg.isHeldOut(c, s) == heldOut) {
                return new int[] {c, s};
            }
        }
    }

    private static double side(Rng rng, int size, boolean large) {
        return (large ? rng.nextDouble(0.40, 0.48) : rng.nextDouble(0.22, 0.28)) * size;
    }

    private static Color jitter(Rng rng, int color) {
        int[] c = RGB[color];
        return new Color(clamp(c[0] + rng.nextInt(-16, 16)), clamp(c[1] + rng.nextInt(-16, 16)),
                clamp(c[2] + rng.nextInt(-16, 16)));
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    /**
     * Top-left corners {@code {xA, yA, xB, yB}} of boxes of sides {@code dA}, {@code dB} with A {@code relation} B:
     * built for "A left of B" in (u, v) = (along, across) coordinates, then mirrored / transposed.
     */
    static double[] placePair(Rng rng, int size, double dA, double dB, int relation) {
        double m = 1;
        double gap = Math.max(1, size / 32.0);
        double room = size - 2 * m - dA - gap - dB;
        if (room < 0) {
            throw new IllegalStateException("shapes do not fit side by side in " + size + " px");
        }
        double uA = rng.nextDouble(m, m + room);
        double uB = rng.nextDouble(uA + dA + gap, size - m - dB);
        double dx = (uB + dB / 2) - (uA + dA / 2);
        double vA = rng.nextDouble(m, size - m - dA);
        double vB = -1;
        for (int attempt = 0; attempt < 100; attempt++) {
            double cB = vA + dA / 2 + rng.nextDouble(-0.4, 0.4) * dx;
            double v = Math.min(Math.max(cB - dB / 2, m), size - m - dB);
            if (Math.abs((v + dB / 2) - (vA + dA / 2)) <= 0.5 * dx) {
                vB = v;
                break;
            }
        }
        if (vB < 0) {
            vB = vA + (dA - dB) / 2; // centres aligned (dB <= dA keeps B inside the picture)
        }
        return switch (relation) {
            case 0 -> new double[] {uA, vA, uB, vB};                                   // left of
            case 1 -> new double[] {size - uA - dA, vA, size - uB - dB, vB};           // right of
            case 2 -> new double[] {vA, uA, vB, uB};                                   // above
            case 3 -> new double[] {vA, size - uA - dA, vB, size - uB - dB};           // below
            default -> throw new IllegalArgumentException("relation " + relation);
        };
    }

    private static BufferedImage draw(Style style, int size, int bg, List<Obj> objs) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(bg, bg, bg));
            g.fillRect(0, 0, size, size);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            for (Obj o : objs) {
                g.setColor(o.rgb());
                if (style == Style.OUTLINE) {
                    g.setStroke(new java.awt.BasicStroke((float) Math.max(1.5, o.d() / 16)));
                    g.draw(outline(o.shape(), o.x(), o.y(), o.d()));
                } else {
                    fillShape(g, o.shape(), o.x(), o.y(), o.d());
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The outline of a shape as {@link #fillShape} fills it (the cross as one contour, not two bars). */
    private static java.awt.Shape outline(int shape, double x, double y, double d) {
        if (shape == 4) {
            double cx = x + d / 2;
            double cy = y + d / 2;
            double w = 0.34 * d;
            java.awt.geom.Area a = new java.awt.geom.Area(new Rectangle2D.Double(cx - w / 2, y, w, d));
            a.add(new java.awt.geom.Area(new Rectangle2D.Double(x, cy - w / 2, d, w)));
            return a;
        }
        return geometry(shape, x, y, d);
    }

    private static void fillShape(Graphics2D g, int shape, double x, double y, double d) {
        if (shape == 4) { // two bars, painted one after the other (as the filled style always has been)
            double cx = x + d / 2;
            double cy = y + d / 2;
            double w = 0.34 * d;
            g.fill(new Rectangle2D.Double(cx - w / 2, y, w, d));
            g.fill(new Rectangle2D.Double(x, cy - w / 2, d, w));
        } else {
            g.fill(geometry(shape, x, y, d));
        }
    }

    /** Every shape but the cross (which {@link #fillShape} and {@link #outline} build from two bars). */
    private static java.awt.Shape geometry(int shape, double x, double y, double d) {
        double cx = x + d / 2;
        double cy = y + d / 2;
        switch (shape) {
            case 0:
                return new Ellipse2D.Double(x, y, d, d);
            case 1:
                return new Rectangle2D.Double(x + 0.06 * d, y + 0.06 * d, 0.88 * d, 0.88 * d);
            case 2:
                return polygon(new double[] {cx, y, x + d, y + d, x, y + d});
            case 3: {
                double[] pts = new double[20];
                double ro = d / 2;
                double ri = ro * 0.45;
                double scy = cy + 0.05 * d;
                for (int i = 0; i < 10; i++) {
                    double a = -Math.PI / 2 + i * Math.PI / 5;
                    double r = i % 2 == 0 ? ro : ri;
                    pts[2 * i] = cx + r * Math.cos(a);
                    pts[2 * i + 1] = scy + r * Math.sin(a);
                }
                return polygon(pts);
            }
            case 5:
                return polygon(new double[] {cx, y, x + d, cy, cx, y + d, x, cy});
            default:
                throw new IllegalArgumentException("shape " + shape);
        }
    }

    private static Path2D polygon(double[] xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    /** PNG bytes of a scene picture ({@link PngEncoder}: 8-bit RGB, no metadata). */
    public static byte[] png(BufferedImage img) {
        return PngEncoder.encode(img);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writing.

    /** A rendered, encoded scene ready to be written. */

    /** Generates the whole dataset under {@code out} (created if needed; existing files of the same names replaced). */
    public static Summary generate(Path out, Config cfg) throws IOException {
        Files.createDirectories(out);
        ExecutorService pool = ImageWorkers.shared();
        Map<String, String> data = new LinkedHashMap<>();
        for (Split split : Split.values()) {
            int n = cfg.count(split);
            if (cfg.format() == Format.TSV) {
                Path dir = out.resolve("images").resolve(split.id());
                Files.createDirectories(dir);
                List<String[]> rows = render(pool, n, (i, e) -> {
                    String rel = "images/" + split.id() + "/" + String.format(Locale.ROOT, "%06d.png", i);
                    writeSmall(out.resolve(rel), e.png());
                    return row(rel, e);
                }, i -> encode(scene(cfg, split, i)));
                writeTable(out.resolve(split.id() + ".tsv"), COLUMNS, rows);
                data.put(split.id(), out.resolve(split.id() + ".tsv").toString());
                // the classic zero-shot setting, one object per picture: the class names everything in it
                String one = split.id() + ONE_SHAPE_SUFFIX;
                writeTable(out.resolve(one + ".tsv"), COLUMNS, oneShapeRows(rows));
                data.put(one, out.resolve(one + ".tsv").toString());
                String questions = split == Split.TRAIN ? "questions.tsv" : split.id() + "_questions.tsv";
                writeTable(out.resolve(questions), ShapesQuestions.COLUMNS,
                        ShapesQuestions.rows(cfg.seed(), split.ordinal(), rows));
                data.put(split == Split.TRAIN ? "questions" : split.id() + "_questions",
                        out.resolve(questions).toString());
            } else {
                int shards = (n + cfg.shardSize() - 1) / cfg.shardSize();
                for (int s = 0; s < shards; s++) {
                    int from = s * cfg.shardSize();
                    int to = Math.min(n, from + cfg.shardSize());
                    List<ShardWriter.Entry> enc = render(pool, to - from, (i, e) -> e,
                            i -> encode(scene(cfg, split, from + i)));
                    ShardWriter.write(out.resolve(String.format(Locale.ROOT, "%s-%04d.tar", split.id(), s)), from, enc);
                }
                if (shards == 1) {
                    data.put(split.id(), out.resolve(split.id() + "-0000.tar").toString());
                } else if (shards > 1) {
                    data.put(split.id(), out.resolve(String.format(Locale.ROOT, "%s-{0000..%04d}.tar", split.id(),
                            shards - 1)).toString());
                }
            }
        }
        int pairs = cfg.winogroundPairs();
        Path wdir = out.resolve("images").resolve("winoground");
        Files.createDirectories(wdir);
        List<String[]> wrows = render(pool, pairs, (i, r) -> r, i -> {
            WinogroundPair p = winoground(cfg, i);
            String r0 = String.format(Locale.ROOT, "images/winoground/%05d-0.png", i);
            String r1 = String.format(Locale.ROOT, "images/winoground/%05d-1.png", i);
            writeSmall(out.resolve(r0), png(p.image0()));
            writeSmall(out.resolve(r1), png(p.image1()));
            return new String[] {r0, r1, p.text0(), p.text1(), Boolean.toString(p.heldOut()), p.kind()};
        });
        writeTable(out.resolve("winoground.tsv"), WINOGROUND_COLUMNS, wrows);
        data.put("winoground", out.resolve("winoground.tsv").toString());
        AtomicFiles.writeString(out.resolve("classes.txt"), String.join("\n", cfg.classNames()) + "\n");
        AtomicFiles.writeString(out.resolve("heldout_classes.txt"), String.join("\n", cfg.heldOutClassNames()) + "\n");
        Summary summary = new Summary(out, cfg.trainCount(), cfg.valCount(), cfg.heldoutCount(), pairs, cfg.format(),
                Collections.unmodifiableMap(data));
        writeManifest(out, cfg, summary);
        return summary;
    }

    /** The rows of a scene table whose scene holds a single shape (column {@code count} is 1). */
    static List<String[]> oneShapeRows(List<String[]> rows) {
        int count = COLUMNS.indexOf("count");
        List<String[]> out = new ArrayList<>();
        for (String[] r : rows) {
            if ("1".equals(r[count])) {
                out.add(r);
            }
        }
        return out;
    }

    private static ShardWriter.Entry encode(Scene s) {
        return new ShardWriter.Entry(s.caption(), s.fields(), png(s.image()));
    }

    private static String[] row(String rel, ShardWriter.Entry e) {
        String[] r = new String[COLUMNS.size()];
        r[0] = rel;
        r[1] = e.caption();
        for (int c = 2; c < COLUMNS.size(); c++) {
            r[c] = e.fields().get(COLUMNS.get(c));
        }
        return r;
    }

    @FunctionalInterface
    private interface Task<T> {
        T make(int index) throws IOException;
    }

    @FunctionalInterface
    private interface Finish<T, R> {
        R finish(int index, T value) throws IOException;
    }

    /** Runs {@code make} then {@code finish} for indices 0..n-1 in chunks on the pool; results in index order. */
    private static <T, R> List<R> render(ExecutorService pool, int n, Finish<T, R> finish, Task<T> make)
            throws IOException {
        List<Future<List<R>>> futures = new ArrayList<>();
        for (int from = 0; from < n; from += CHUNK) {
            int lo = from;
            int hi = Math.min(n, from + CHUNK);
            futures.add(pool.submit(() -> {
                List<R> part = new ArrayList<>(hi - lo);
                for (int i = lo; i < hi; i++) {
                    part.add(finish.finish(i, make.make(i)));
                }
                return part;
            }));
        }
        List<R> out = new ArrayList<>(n);
        try {
            for (Future<List<R>> f : futures) {
                out.addAll(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating Shapes", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
        return out;
    }

    /** Temp sibling + rename, without fsync (thousands of small files; the tables written last are synced). */
    private static void writeSmall(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeTable(Path file, List<String> header, List<String[]> rows) throws IOException {
        StringBuilder sb = new StringBuilder(64 + rows.size() * 96);
        sb.append(String.join("\t", header)).append('\n');
        for (String[] r : rows) {
            sb.append(String.join("\t", r)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void writeManifest(Path out, Config cfg, Summary s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator", "vlm4j Shapes");
        m.put("seed", cfg.seed());
        m.put("count", cfg.count());
        m.put("size", cfg.size());
        m.put("format", cfg.format().name().toLowerCase(Locale.ROOT));
        m.put("colors", COLORS.subList(0, cfg.colors()));
        m.put("shapes", SHAPES.subList(0, cfg.shapes()));
        m.put("relations", RELATIONS);
        if (cfg.style() != Style.FILLED) { // only when set, so the default's manifest is unchanged
            m.put("style", cfg.style().id());
        }
        m.put("heldout_rule", "colour i with shape j is held out iff (i - j) mod " + cfg.shapes() + " == 0");
        m.put("heldout_classes", cfg.heldOutClassNames());
        Map<String, Integer> splits = new LinkedHashMap<>();
        splits.put("train", s.train());
        splits.put("val", s.val());
        splits.put("heldout", s.heldout());
        splits.put("winoground", s.winoground());
        m.put("splits", splits);
        Map<String, String> rel = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.data().entrySet()) {
            rel.put(e.getKey(), out.relativize(Path.of(e.getValue())).toString());
        }
        m.put("data", rel);
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
        AtomicFiles.writeString(out.resolve("shapes.json"), json + "\n");
    }
}
