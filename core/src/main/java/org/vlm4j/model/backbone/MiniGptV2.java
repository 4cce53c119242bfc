package org.vlm4j.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import org.vlm4j.nn.Linear;
import org.vlm4j.nn.Param;
import org.vlm4j.text.Tokenizer;

/**
 * MiniGPT-v2 (Chen et al. 2023): every {@code prefix_tokens} (4 in the paper) adjacent image tokens are concatenated
 * into one before a linear projection into the frozen LM (fewer, wider visual tokens), and a task identifier
 * ({@code [caption]}, {@code [vqa]}, ...) follows the image: here a learned embedding per task ({@code task_embed},
 * rows in {@code task_tokens} order), trained with the projection. Patch tokens only (the class token is dropped).
 */
public final class MiniGptV2 extends Bridge {
    public static final String FAMILY = "minigptv2";
    private final Linear proj;
    private final Param taskEmbed;

    public MiniGptV2(BridgeConfig config, Tokenizer tokenizer, long seed) {
        super(config, tokenizer, seed);
        int merge = config.prefixTokens();
        int g = config.vision().grid();
        if (merge <= 0 || (g * g) % merge != 0) {
            throw new IllegalArgumentException("prefix_tokens (tokens merged into one) must divide the " + g * g
                    + " image tokens, got " + merge);
        }
        for (Task t : Task.values()) {
            if (!config.taskTokens().contains(taskName(t))) {
                throw new IllegalArgumentException("task_tokens must include '" + taskName(t) + "', got "
                        + config.taskTokens());
            }
        }
        this.proj = child("proj", new Linear(init, (long) merge * config.vision().width(), config.lm().width(), true));
        this.taskEmbed = param("task_embed", init.normal(0.02, config.taskTokens().size(), config.lm().width()));
    }

    private static String taskName(Task t) {
        return t == Task.CAPTION ? "caption" : "vqa";
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    protected NDArray prefix(NDArray imageTokens, Task[] tasks) {
        long n = imageTokens.getShape().get(0);
        NDArray patches = config.vision().classToken() ? imageTokens.get(":, 1:, :") : imageTokens;
        int merge = config.prefixTokens();
        long t = patches.getShape().get(1);
        NDArray merged = patches.reshape(n, t / merge, merge * patches.getShape().get(2));
        long[] ids = new long[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            ids[i] = config.taskTokens().indexOf(taskName(tasks[i]));
        }
        NDArray task = Embedding.embedding(imageTokens.getManager().create(ids, new Shape(n, 1)), taskEmbed.array(),
                SparseFormat.DENSE).singletonOrThrow(); // [N, 1, D]
        return proj.forward(merged).concat(task, 1);
    }
}
