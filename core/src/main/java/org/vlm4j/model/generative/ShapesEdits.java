package org.vlm4j.model.generative;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.ShapesJudge;

/**
 * Edit-by-text pairs where the data allows it (CM3leon's instruction tuning): a Shapes scene and the same scene with
 * its first-named shape recoloured, with the instruction {@code "make the circle blue"} ({@link FusionTasks#EDIT}).
 * The target is made from the source's pixels (no re-rendering, so everything else stays exactly as it was): every
 * pixel of the shape's palette colour ({@link ShapesJudge#nearest}) moves by the difference of the two palette
 * colours, which keeps its jitter, and the antialiased rim next to it moves in proportion to how much of the colour
 * it holds over the background. A scene allows the edit when its metadata names the first shape's colour and shape
 * and no other shape of the scene shares either (so the instruction is unambiguous and the recolouring touches that
 * shape only).
 */
public final class ShapesEdits {
    private ShapesEdits() {}

    /** An edit of one scene: the instruction and the palette indices of the colour before and after. */
    public record Edit(String instruction, int from, int to) {}

    /** The instruction for recolouring the scene's {@code shape} to {@code colour}: "make the circle blue". */
    public static String instruction(String shape, String colour) {
        return String.format(FusionTasks.EDIT, shape, colour);
    }

    /**
     * An edit of the scene with this metadata, or null where the data does not allow one. The new colour is drawn
     * from {@code allowed}, the colour-shape compositions ("red circle") the training data shows, so an edit never
     * makes a composition the data holds out.
     */
    public static Edit pick(Map<String, String> meta, Set<String> allowed, SplittableRandom rng) {
        String colour = meta.get("color");
        String shape = meta.get("shape");
        int from = colour == null ? -1 : Shapes.COLORS.indexOf(colour);
        if (from < 0 || shape == null || shape.isEmpty()) {
            return null;
        }
        for (String suffix : new String[] {"2", "3"}) {
            if (colour.equals(meta.get("color" + suffix)) || shape.equals(meta.get("shape" + suffix))) {
                return null;
            }
        }
        List<Integer> to = new ArrayList<>();
        for (int c = 0; c < Shapes.COLORS.size(); c++) {
            if (c != from && allowed.contains(Shapes.COLORS.get(c) + " " + shape)) {
                to.add(c);
            }
        }
        if (to.isEmpty()) {
            return null;
        }
        int c = to.get(rng.nextInt(to.size()));
        return new Edit(instruction(shape, Shapes.COLORS.get(c)), from, c);
    }

    /** The compositions of the first-named shapes in these metadata rows ("red circle"). */
    public static Set<String> compositions(List<Map<String, String>> meta) {
        Set<String> out = new java.util.HashSet<>();
        for (Map<String, String> m : meta) {
            if (m.get("color") != null && m.get("shape") != null) {
                out.add(m.get("color") + " " + m.get("shape"));
            }
        }
        return out;
    }

    /** A copy of a picture (RGB in [0, 1], CHW of a square side) with palette colour {@code from} made {@code to}. */
    public static float[] recolour(float[] chw, int from, int to) {
        int plane = chw.length / 3;
        int side = (int) Math.round(Math.sqrt(plane));
        if (side * side * 3 != chw.length) {
            throw new IllegalArgumentException("expected a square RGB image in CHW, got " + chw.length + " values");
        }
        int[] a = Shapes.rgb(from);
        int[] b = Shapes.rgb(to);
        int[] label = new int[plane];
        double[] bg = new double[3];
        int bgCount = 0;
        for (int p = 0; p < plane; p++) {
            label[p] = ShapesJudge.nearest(chw[p] * 255, chw[plane + p] * 255, chw[2 * plane + p] * 255);
            float grey = (chw[p] + chw[plane + p] + chw[2 * plane + p]) / 3 * 255;
            if (label[p] < 0 && grey < 72) { // the dark grey background
                for (int ch = 0; ch < 3; ch++) {
                    bg[ch] += chw[ch * plane + p] * 255;
                }
                bgCount++;
            }
        }
        for (int ch = 0; ch < 3; ch++) {
            bg[ch] = bgCount == 0 ? 40 : bg[ch] / bgCount;
        }
        double[] dir = new double[3];
        double norm = 0;
        for (int ch = 0; ch < 3; ch++) {
            dir[ch] = a[ch] - bg[ch];
            norm += dir[ch] * dir[ch];
        }
        float[] out = chw.clone();
        for (int p = 0; p < plane; p++) {
            double alpha;
            if (label[p] == from) {
                alpha = 1;
            } else if (label[p] < 0 && touches(label, side, p, from)) {
                double dot = 0; // how much of the colour the rim pixel holds over the background
                for (int ch = 0; ch < 3; ch++) {
                    dot += (chw[ch * plane + p] * 255 - bg[ch]) * dir[ch];
                }
                alpha = Math.max(0, Math.min(1, dot / Math.max(norm, 1e-9)));
            } else {
                continue;
            }
            for (int ch = 0; ch < 3; ch++) {
                float v = chw[ch * plane + p] + (float) (alpha * (b[ch] - a[ch]) / 255);
                out[ch * plane + p] = Math.max(0f, Math.min(1f, v));
            }
        }
        return out;
    }

    private static boolean touches(int[] label, int side, int p, int colour) {
        int x = p % side;
        int y = p / side;
        return x > 0 && label[p - 1] == colour || x < side - 1 && label[p + 1] == colour
                || y > 0 && label[p - side] == colour || y < side - 1 && label[p + side] == colour;
    }
}
