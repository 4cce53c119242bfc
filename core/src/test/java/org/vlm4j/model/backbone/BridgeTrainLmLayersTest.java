package org.vlm4j.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.vlm4j.io.ModelDir;
import org.vlm4j.nn.Param;

/**
 * {@code train_lm_layers}: N > 0 makes the language model's last N blocks and its final norm trainable (embeddings
 * stay frozen); 0, the default, keeps the LM frozen, and a config.json written before the field existed loads as 0.
 */
class BridgeTrainLmLayersTest {
    @Test
    void theLastBlockAndTheFinalNormTrainTheRestStaysFrozen() {
        BridgeConfig c = Bridges.preset("minigpt4-tiny", 50).withTrainLmLayers(1);
        try (Bridge b = new MiniGpt4(c, null, 1)) {
            TreeSet<String> trainableLm = new TreeSet<>();
            b.lm().namedParams().forEach((n, p) -> {
                if (p.trainable()) {
                    trainableLm.add(n);
                }
            });
            int last = c.lm().layers() - 1;
            assertTrue(!trainableLm.isEmpty());
            for (String n : trainableLm) {
                assertTrue(n.startsWith("transformer.blocks." + last + ".") || n.startsWith("ln_final."), n);
            }
            assertTrue(trainableLm.stream().anyMatch(n -> n.startsWith("ln_final.")), trainableLm.toString());
            b.lm().namedParams().forEach((n, p) -> {
                if (n.startsWith("transformer.blocks." + last + ".")) {
                    assertTrue(p.trainable(), n + " is in the last block");
                }
            });
            assertTrue(b.visual().namedParams().values().stream().noneMatch(Param::trainable), "the tower is frozen");
        }
        try (Bridge plain = new MiniGpt4(Bridges.preset("minigpt4-tiny", 50), null, 1)) {
            List<String> trainable = plain.namedParams().entrySet().stream().filter(e -> e.getValue().trainable())
                    .map(Map.Entry::getKey).toList();
            assertEquals(List.of("proj.weight", "proj.bias"), trainable, "default: the projection only");
        }
    }

    @Test
    void oldConfigsLoadWithAFrozenLmAndBadValuesAreClearErrors() throws Exception {
        BridgeConfig c = Bridges.preset("minigpt4-tiny", 50);
        ObjectNode json = ModelDir.JSON.valueToTree(c);
        assertEquals(0, json.get("train_lm_layers").asInt());
        json.remove("train_lm_layers");
        java.nio.file.Path file = java.nio.file.Path.of("config.json");
        assertEquals(c, ModelDir.parse(json, BridgeConfig.class, file), "a config without the field");
        json.put("train_lm_layers", 2);
        assertEquals(2, ModelDir.parse(json, BridgeConfig.class, file).trainLmLayers());
        json.put("train_lm_layers", 5);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ModelDir.parse(json, BridgeConfig.class, file));
        assertTrue(bad.getMessage().contains("config.json") && bad.getMessage().contains("train_lm_layers"),
                bad.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withTrainLmLayers(3));
        assertTrue(e.getMessage().contains("train_lm_layers"), e.getMessage());
    }
}
