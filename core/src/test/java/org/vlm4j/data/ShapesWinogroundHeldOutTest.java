package org.vlm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shapes' Winoground pairs 2, 3 of every 4 hold a held-out composition; pairs 0, 1 only seen ones. */
class ShapesWinogroundHeldOutTest {
    /** The (colour, shape) compositions named in a caption: "a red circle and a blue square" -> red circle, blue square. */
    static List<String[]> compositions(String caption) {
        List<String[]> out = new ArrayList<>();
        String[] w = caption.split(" ");
        for (int i = 0; i + 1 < w.length; i++) {
            if (Shapes.COLORS.contains(w[i]) && Shapes.SHAPES.contains(w[i + 1])) {
                out.add(new String[] {w[i], w[i + 1]});
            }
        }
        return out;
    }

    @Test
    void heldOutPairsNameAHeldOutCompositionAndSeenPairsNone() {
        Shapes.Config cfg = Shapes.Config.of(100, 7).withSize(32);
        for (int i = 0; i < 16; i++) {
            Shapes.WinogroundPair p = Shapes.winoground(cfg, i);
            assertEquals(Shapes.winogroundHeldOut(i), p.heldOut());
            assertEquals(i % 2 == 0 ? "attribute" : "relation", p.kind());
            boolean anyHeld = false;
            for (String t : List.of(p.text0(), p.text1())) {
                List<String[]> comps = compositions(t);
                assertEquals(2, comps.size(), t);
                for (String[] c : comps) {
                    anyHeld |= cfg.isHeldOut(c[0], c[1]);
                }
            }
            assertEquals(p.heldOut(), anyHeld, p.text0() + " / " + p.text1());
        }
        assertTrue(Shapes.winogroundHeldOut(2) && !Shapes.winogroundHeldOut(4));
    }
}
