package org.vlm4j.model.generative;

/**
 * What a fusion model's training sequences are, {@code FusionConfig.tasks}: {@link #PRETRAIN}, both orders of every
 * image-caption pair (Chameleon, and CM3leon's first stage, optionally with retrieved documents before each), or
 * {@link #INSTRUCT}, CM3leon's second stage: supervised multi-task fine-tuning on instruction-style sequences whose
 * loss covers the answer only. The instructions are plain text, so the model reads them as it reads captions.
 */
public final class FusionTasks {
    public static final String PRETRAIN = "pretrain";
    public static final String INSTRUCT = "instruct";

    /** Caption an image: {@code [sot] caption this [eot] <image> codes </image>} then the answer {@code [sot] caption [eot]}. */
    public static final String CAPTION = "caption this";
    /** Draw a caption: {@code [sot] draw this [eot] [sot] caption [eot] <image>} then the answer {@code codes </image>}. */
    public static final String DRAW = "draw this";
    /** Questions answerable from Shapes' metadata (the first-named shape): the answer is one word. */
    public static final String COLOUR_QUESTION = "what colour is the large shape";
    public static final String SHAPE_QUESTION = "what shape is the large shape";
    /**
     * Edit an image by text, where the data allows ({@link ShapesEdits}): {@code [sot] make the circle blue [eot]
     * <image> source codes </image> <image>} then the answer {@code target codes </image>}; shape, then colour.
     */
    public static final String EDIT = "make the %s %s";

    private FusionTasks() {}

    public static String check(String tasks) {
        if (!PRETRAIN.equals(tasks) && !INSTRUCT.equals(tasks)) {
            throw new IllegalArgumentException("tasks must be '" + PRETRAIN + "' or '" + INSTRUCT + "', got '" + tasks
                    + "'");
        }
        return tasks;
    }
}
