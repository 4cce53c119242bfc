package org.vlm4j.model.generative;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.vlm4j.io.JsonDefault;
import org.vlm4j.nn.Activation;
import org.vlm4j.nn.DecoderConfig;

/**
 * An early-fusion token model: one causal decoder over {@link FusionVocabulary} (text tokens + the codes of its
 * VQ-VAE + {@code <image>}, {@code </image>}, {@code <pad>}), with the VQ-VAE ({@code image}) frozen inside it.
 *
 * @param textVocabSize  the text tokenizer's vocabulary
 * @param textContext    the most tokens of a caption, sot and eot included
 * @param captionDropout how often a caption-to-image sequence is trained with an empty caption, so that the model
 *                       also learns p(image) and can draw with classifier-free guidance (0: never)
 * @param retrieved      documents (image-caption pairs of the training set, from a dense retriever) prepended to
 *                       each training sequence, CM3leon's retrieval-augmented pretraining (0: none)
 * @param tasks          {@link FusionTasks#PRETRAIN} or {@link FusionTasks#INSTRUCT}
 * The last three came later; configs without them load as before (0, 0, pretrain).
 */
public record FusionConfig(
        String family,
        VqVaeConfig image,
        DecoderConfig decoder,
        @JsonProperty("text_vocab_size") int textVocabSize,
        @JsonProperty("text_context") int textContext,
        @JsonProperty("caption_dropout") @JsonDefault("0") float captionDropout,
        @JsonProperty("retrieved") @JsonDefault("0") int retrieved,
        @JsonProperty("tasks") @JsonDefault("\"pretrain\"") String tasks) {

    /** A first-cut config: pretraining on both orders, no caption dropout, no retrieval. */
    public FusionConfig(String family, VqVaeConfig image, DecoderConfig decoder, int textVocabSize, int textContext) {
        this(family, image, decoder, textVocabSize, textContext, 0f, 0, FusionTasks.PRETRAIN);
    }

    public FusionConfig {
        FusionTasks.check(tasks);
        if (!(captionDropout >= 0 && captionDropout < 1) || retrieved < 0) {
            throw new IllegalArgumentException("caption_dropout must be in [0, 1) and retrieved >= 0, got "
                    + captionDropout + " and " + retrieved);
        }
        if (retrieved > 0 && FusionTasks.INSTRUCT.equals(tasks)) {
            throw new IllegalArgumentException("retrieved documents are a pretraining recipe; set retrieved to 0 for"
                    + " tasks '" + FusionTasks.INSTRUCT + "'");
        }
        if (!FusionModel.FAMILY.equals(family)) {
            throw new IllegalArgumentException("family must be " + FusionModel.FAMILY + ", got '" + family + "'");
        }
        int vocab = new FusionVocabulary(textVocabSize, image.codebookSize()).size();
        if (decoder.vocabSize() != vocab) {
            throw new IllegalArgumentException("decoder.vocab_size must be text + codes + 3 = " + vocab + ", got "
                    + decoder.vocabSize());
        }
        if (textContext < 2 || decoder.contextLength() < rowLength(image, textContext, retrieved, tasks)) {
            throw new IllegalArgumentException("decoder.context_length " + decoder.contextLength() + " cannot hold "
                    + (retrieved + 1) + " x (a caption of text_context " + textContext + " and an image of "
                    + cells(image) + " codes)" + (FusionTasks.INSTRUCT.equals(tasks) ? " and an instruction" : "")
                    + ": it needs " + rowLength(image, textContext, retrieved, tasks));
        }
        if (decoder.crossAttention()) {
            throw new IllegalArgumentException("an early-fusion decoder attends to its own sequence only (no cross_attention)");
        }
    }

    /** Rows the decoder trains on: a whole sequence (caption + image with its two markers) less one token. */
    public int rowLength() {
        return rowLength(image, textContext, retrieved, tasks);
    }

    /** Tokens of one document: a caption and an image with its two markers. */
    public int documentLength() {
        return textContext + cells(image) + 2;
    }

    private static int rowLength(VqVaeConfig image, int textContext) {
        return textContext + cells(image) + 1;
    }

    /** Retrieved documents come whole before the sequence; an instruction is at most one more caption's length. */
    private static int rowLength(VqVaeConfig image, int textContext, int retrieved, String tasks) {
        int doc = textContext + cells(image) + 2;
        return (retrieved + 1) * doc - 1 + (FusionTasks.INSTRUCT.equals(tasks) ? textContext : 0);
    }

    private static int cells(VqVaeConfig image) {
        return image.gridSize() * image.gridSize();
    }

    /** For Shapes: vqvae-tiny's 8x8 codes, captions of up to 16 tokens, 4 layers of width 128 (tied head). */
    public static FusionConfig tiny(int textVocabSize) {
        VqVaeConfig image = VqVaePresets.tiny();
        int vocab = new FusionVocabulary(textVocabSize, image.codebookSize()).size();
        DecoderConfig d = new DecoderConfig(vocab, rowLength(image, 16), 128, 4, 4, 512, Activation.GELU, 1e-5f, false,
                0, true);
        return new FusionConfig(FusionModel.FAMILY, image, d, textVocabSize, 16);
    }

    /**
     * fusion-tiny with what the first cut lacked: QK-norm and Chameleon's norm placement in every block, and captions
     * dropped from 10% of the caption-to-image sequences (classifier-free guidance when drawing).
     */
    public static FusionConfig chameleon(int textVocabSize) {
        FusionConfig t = tiny(textVocabSize);
        DecoderConfig d = t.decoder().withChameleonNorm();
        // one context length for the three stages' presets (room for one retrieved document, more than an
        // instruction needs), so each stage can start from another's weights
        int context = rowLength(t.image(), t.textContext(), 1, FusionTasks.PRETRAIN);
        d = new DecoderConfig(d.vocabSize(), context, d.width(), d.layers(), d.heads(), d.mlpHidden(), d.activation(),
                d.lnEps(), d.crossAttention(), d.contextDim(), d.tiedHead(), d.qkNorm(), d.normPlacement());
        return new FusionConfig(t.family(), t.image(), d, textVocabSize, t.textContext(), 0.1f, 0,
                FusionTasks.PRETRAIN);
    }

    /**
     * CM3leon's first stage on Shapes: {@link #chameleon} with {@code k} retrieved documents before each sequence (k
     * above 1 lengthens the decoder's context, so its weights no longer load into the other presets).
     */
    public static FusionConfig retrievalAugmented(int textVocabSize, int k) {
        return chameleon(textVocabSize).with(k, FusionTasks.PRETRAIN);
    }

    /** CM3leon's second stage on Shapes: {@link #chameleon}'s architecture fine-tuned on instruction sequences. */
    public static FusionConfig instruct(int textVocabSize) {
        return chameleon(textVocabSize).with(0, FusionTasks.INSTRUCT);
    }

    /** This architecture with a decoder context long enough for {@code retrieved} documents or instructions. */
    public FusionConfig with(int retrieved, String tasks) {
        int length = rowLength(image, textContext, retrieved, tasks);
        DecoderConfig d = new DecoderConfig(decoder.vocabSize(), Math.max(length, decoder.contextLength()),
                decoder.width(), decoder.layers(), decoder.heads(), decoder.mlpHidden(), decoder.activation(),
                decoder.lnEps(), decoder.crossAttention(), decoder.contextDim(), decoder.tiedHead(), decoder.qkNorm(),
                decoder.normPlacement());
        return new FusionConfig(family, image, d, textVocabSize, textContext, captionDropout, retrieved, tasks);
    }
}
