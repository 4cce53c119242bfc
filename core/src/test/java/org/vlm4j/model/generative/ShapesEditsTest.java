package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vlm4j.data.Shapes;
import org.vlm4j.eval.ShapesJudge;

/**
 * Edit-by-text pairs from Shapes: the recoloured scene is judged the new colour and the same shape, with nothing of
 * the old colour left, on real rendered scenes; scenes where the instruction would be ambiguous get no edit; the new
 * colour is a composition the data shows.
 */
class ShapesEditsTest {
    @Test
    void recolouredScenesAreJudgedTheNewColourAndTheSameShape() {
        Shapes.Config cfg = Shapes.Config.of(400, 3).withSize(32).withVocabulary(3, 3);
        int tried = 0;
        for (int i = 0; i < 320 && tried < 40; i++) {
            Shapes.Scene s = Shapes.scene(cfg, Shapes.Split.TRAIN, i);
            if (!s.fields().get("count").equals("1") || !s.fields().get("size").equals("large")) {
                continue;
            }
            tried++;
            float[] chw = unit(s.image());
            int from = Shapes.COLORS.indexOf(s.fields().get("color"));
            int shape = Shapes.SHAPES.indexOf(s.fields().get("shape"));
            ShapesJudge.Verdict before = ShapesJudge.judge(chw);
            assertEquals(from, before.colour());
            int to = (from + 1 + i % 2) % 3;
            float[] edited = ShapesEdits.recolour(chw, from, to);
            ShapesJudge.Verdict after = ShapesJudge.judge(edited);
            assertEquals(to, after.colour(), "scene " + i + " " + s.caption());
            assertEquals(shape, after.shape(), "scene " + i + " " + s.caption() + " keeps its shape");
            // the same region, recoloured; the antialiased rim may now read as the new colour (observed up to +13 of 168)
            assertEquals(before.pixels(), after.pixels(), 0.1 * before.pixels(), "scene " + i + ": the same region");
            int left = 0;
            int plane = chw.length / 3;
            for (int p = 0; p < plane; p++) {
                left += ShapesJudge.nearest(edited[p] * 255, edited[plane + p] * 255, edited[2 * plane + p] * 255)
                        == from ? 1 : 0;
            }
            assertEquals(0, left, "no pixel of the old colour left in scene " + i);
        }
        assertTrue(tried >= 20, "enough single-shape scenes: " + tried);
    }

    @Test
    void onlyUnambiguousScenesAreEditedIntoCompositionsTheDataShows() {
        Set<String> seen = Set.of("red circle", "blue circle", "green square");
        Map<String, String> one = Map.of("color", "red", "shape", "circle");
        for (int seed = 0; seed < 20; seed++) {
            ShapesEdits.Edit e = ShapesEdits.pick(one, seen, new SplittableRandom(seed));
            assertNotNull(e);
            assertEquals("make the circle blue", e.instruction(), "blue circle is the only other seen circle");
            assertEquals(0, e.from());
            assertEquals(2, e.to());
        }
        Map<String, String> sameColour = new HashMap<>(one);
        sameColour.put("color2", "red");
        sameColour.put("shape2", "square");
        assertNull(ShapesEdits.pick(sameColour, seen, new SplittableRandom(1)), "two red shapes: ambiguous");
        Map<String, String> sameShape = new HashMap<>(one);
        sameShape.put("color2", "green");
        sameShape.put("shape2", "circle");
        assertNull(ShapesEdits.pick(sameShape, seen, new SplittableRandom(1)), "two circles: ambiguous");
        assertNull(ShapesEdits.pick(Map.of("color", "green", "shape", "square"), seen, new SplittableRandom(1)),
                "no other seen colour for a square");
        assertNull(ShapesEdits.pick(Map.of(), seen, new SplittableRandom(1)), "no metadata, no edit");
    }

    static float[] unit(BufferedImage img) {
        int w = img.getWidth();
        int plane = w * img.getHeight();
        float[] out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            int rgb = img.getRGB(p % w, p / w);
            out[p] = ((rgb >> 16) & 255) / 255f;
            out[plane + p] = ((rgb >> 8) & 255) / 255f;
            out[2 * plane + p] = (rgb & 255) / 255f;
        }
        return out;
    }
}
