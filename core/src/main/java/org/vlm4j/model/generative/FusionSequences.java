package org.vlm4j.model.generative;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vlm4j.text.Tokenizer;

/**
 * The token sequences of a fusion model, for training and for each capability, in the layout its config trains on
 * ({@link FusionTasks}): pretraining sequences as {@link FusionVocabulary} writes them, or the same behind a plain
 * text instruction ("draw this", "caption this"). Keeps {@link FusionModel} free of layout details.
 */
final class FusionSequences {
    /** A sequence and the first position the loss (or a score) covers. */
    record Seq(long[] tokens, int from) {}

    private final FusionConfig config;
    private final Tokenizer tokenizer;
    private final FusionVocabulary vocab;
    private final boolean instruct;

    FusionSequences(FusionConfig config, Tokenizer tokenizer, FusionVocabulary vocab) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.instruct = FusionTasks.INSTRUCT.equals(config.tasks());
    }

    long[] text(String s) {
        return FusionVocabulary.caption(tokenizer, s, config.textContext());
    }

    private long[] instruction(String s) {
        return instruct ? text(s) : new long[0];
    }

    /** What the model reads before an image's caption: {@code [instruction] <image> codes </image> [sot]}. */
    long[] captionPrompt(int[] codes) {
        return FusionVocabulary.join(instruction(FusionTasks.CAPTION), vocab.image(codes),
                new long[] {tokenizer.sotId()});
    }

    /** What the model reads before drawing: {@code [instruction] [sot] text [eot] <image>}. */
    long[] drawPrompt(String caption) {
        return FusionVocabulary.join(instruction(FusionTasks.DRAW), text(caption), new long[] {vocab.imageStart()});
    }

    /** The image's codes after the text: a sequence scored over its codes, log p(image | text). */
    Seq imageGivenText(long[] text, int[] codes) {
        long[] prefix = FusionVocabulary.join(instruction(FusionTasks.DRAW), text);
        return new Seq(FusionVocabulary.join(prefix, vocab.image(codes)), prefix.length + 1);
    }

    /** The text after the image: a sequence scored over the text after its start token, log p(text | image). */
    Seq textGivenImage(int[] codes, long[] text) {
        long[] prefix = FusionVocabulary.join(instruction(FusionTasks.CAPTION), vocab.image(codes));
        return new Seq(FusionVocabulary.join(prefix, text), prefix.length + 1);
    }

    /**
     * The training sequences of one image-caption pair. Pretraining: caption to image (its caption dropped with
     * probability caption_dropout) and image to caption, each behind the retrieved {@code documents} (loss on the
     * pair's own tokens only). Instruction tuning: caption this, draw this (its caption dropped as in pretraining,
     * for guidance) and, where the metadata names the
     * first-named shape's colour and shape (Shapes), a question on each; loss on the answers only.
     */
    List<Seq> training(String caption, int[] codes, Map<String, String> meta, SplittableRandom rng,
                       List<long[]> documents) {
        long[] text = text(caption);
        List<Seq> out = new ArrayList<>();
        if (!instruct) {
            long[] docs = FusionVocabulary.join(documents.toArray(new long[0][]));
            long[] drawn = rng.nextDouble() < config.captionDropout() ? text("") : text;
            out.add(new Seq(FusionVocabulary.join(docs, vocab.captionToImage(drawn, codes)), docs.length + 1));
            out.add(new Seq(FusionVocabulary.join(docs, vocab.imageToCaption(codes, text)), docs.length + 1));
            return out;
        }
        Seq captioned = textGivenImage(codes, text);
        out.add(new Seq(captioned.tokens(), captioned.from() - 1)); // the answer's start token too
        // "draw this" keeps caption dropout, so guidance's unconditional branch ("draw this", an empty caption) is
        // one the instruction-tuned model still trains on
        Seq drawn = imageGivenText(rng.nextDouble() < config.captionDropout() ? text("") : text, codes);
        out.add(drawn);
        String colour = meta.get("color");
        String shape = meta.get("shape");
        if (colour != null && !colour.isEmpty() && shape != null && !shape.isEmpty()) {
            out.add(question(codes, FusionTasks.COLOUR_QUESTION, colour));
            out.add(question(codes, FusionTasks.SHAPE_QUESTION, shape));
        }
        return out;
    }

    /** {@code <image> codes </image> [sot] question [eot] [sot] answer [eot]}, loss on the answer. */
    Seq question(int[] codes, String question, String answer) {
        long[] prefix = FusionVocabulary.join(vocab.image(codes), text(question));
        return new Seq(FusionVocabulary.join(prefix, text(answer)), prefix.length);
    }

    /**
     * Whether instruction tuning also trains edit-by-text: an instruct config whose decoder holds an instruction and
     * two images (the presets' do; an older instruct config of a shorter context trains as before, without edits).
     */
    boolean edits() {
        return instruct && config.decoder().contextLength() >= editLength();
    }

    /** The longest edit sequence: an instruction, the source image and the target image, less one token. */
    int editLength() {
        return config.textContext() + 2 * (config.image().gridSize() * config.image().gridSize() + 2) - 1;
    }

    /** What the model reads before drawing an edited image: {@code [sot] instruction [eot] <image> source </image> <image>}. */
    long[] editPrompt(int[] source, String instruction) {
        return FusionVocabulary.join(text(instruction), vocab.image(source), new long[] {vocab.imageStart()});
    }

    /** An edit-by-text sequence: {@link #editPrompt} then the target's codes and {@code </image>}, loss on those. */
    Seq edit(int[] source, String instruction, int[] target) {
        long[] prompt = editPrompt(source, instruction);
        long[] image = vocab.image(target);
        return new Seq(FusionVocabulary.join(prompt, java.util.Arrays.copyOfRange(image, 1, image.length)),
                prompt.length);
    }

    /** A retrieved document as the model reads it: caption to image. */
    long[] document(String caption, int[] codes) {
        return vocab.captionToImage(text(caption), codes);
    }
}
