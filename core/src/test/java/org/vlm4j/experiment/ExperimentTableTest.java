package org.vlm4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentTableTest {
    private static ExperimentTable table() {
        return new ExperimentTable("demo", "bigger is better", List.of("batch", "top-1"),
                List.of(List.of(8, 0.5), List.of(16, 0.75)), Map.of("seed", 3), true, "rule: it rose.");
    }

    @Test
    void markdownHasTheClaimTheRowsTheVerdictAndTheSettings() {
        String md = table().toMarkdown();
        assertTrue(md.startsWith("## demo\n\nClaim: bigger is better\n\n| batch | top-1 |\n|---|---|\n| 8 | 0.500 |\n"
                + "| 16 | 0.750 |\n"), md);
        assertTrue(md.contains("**Held here.** rule: it rose."), md);
        assertTrue(md.contains("- seed: 3"), md);
    }

    @Test
    void jsonKeysRowsByColumn() {
        Map<String, Object> j = table().toJson();
        assertEquals(true, j.get("held"));
        assertEquals(List.of(Map.of("batch", 8, "top-1", 0.5), Map.of("batch", 16, "top-1", 0.75)), j.get("rows"));
    }

    @Test
    void aPipeInACellIsEscapedSoTheMarkdownRowKeepsItsCells() {
        String md = new ExperimentTable("demo", "c", List.of("model", "top-1"), List.of(List.of("log p(x | y)", 0.5)),
                Map.of(), false, "v").toMarkdown();
        assertTrue(md.contains("| log p(x \\| y) | 0.500 |"), md);
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ExperimentTable("demo",
                "c", List.of("a", "b"), List.of(List.of(1)), Map.of(), false, "v"));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
    }

    @Test
    void spearmanMatchesHandComputedRanks() {
        // x ranks 1..4; y = (0.1, 0.3, 0.2, 0.4) ranks (1, 3, 2, 4): d^2 = 0+1+1+0 = 2, rho = 1 - 6*2/(4*15) = 0.8
        assertEquals(0.8, ContrastiveBatchExperiment.spearman(new int[] {8, 16, 32, 64},
                new double[] {0.1, 0.3, 0.2, 0.4}), 1e-12);
        assertEquals(-1.0, ContrastiveBatchExperiment.spearman(new int[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.0, ContrastiveBatchExperiment.spearman(new int[] {1, 2, 3}, new double[] {5, 5, 5}), 1e-12);
    }
}
