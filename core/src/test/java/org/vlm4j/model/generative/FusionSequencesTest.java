package org.vlm4j.model.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;

/**
 * The sequences of each training stage: pretraining pairs behind their retrieved documents with the loss on the
 * pair only, caption dropout, and the instruction-tuning tasks with the loss on their answers only; old configs
 * load as first-cut pretraining.
 */
class FusionSequencesTest {
    static final ClipBpeTokenizer TOK = BpeTrainer.of(540).train(List.of("a large red circle", "draw this",
            "caption this", "what colour is the large shape", "what shape is the large shape")).tokenizer();
    static final int[] CODES = new int[64];

    static FusionSequences of(FusionConfig c) {
        return new FusionSequences(c, TOK, new FusionVocabulary(c.textVocabSize(), c.image().codebookSize()));
    }

    @Test
    void pretrainingPutsDocumentsFirstAndTheLossOnThePairOnly() {
        FusionConfig c = FusionConfig.retrievalAugmented(TOK.vocabSize(), 1);
        FusionSequences s = of(c);
        FusionVocabulary v = new FusionVocabulary(c.textVocabSize(), c.image().codebookSize());
        long[] doc = s.document("a small red circle", CODES);
        List<FusionSequences.Seq> seqs = s.training("a large red circle", CODES, Map.of(), new SplittableRandom(1),
                List.of(doc));
        assertEquals(2, seqs.size());
        long[] text = s.text("a large red circle");
        assertArrayEquals(FusionVocabulary.join(doc, v.captionToImage(text, CODES)), seqs.get(0).tokens());
        assertArrayEquals(FusionVocabulary.join(doc, v.imageToCaption(CODES, text)), seqs.get(1).tokens());
        assertEquals(doc.length + 1, seqs.get(0).from());
        FusionVocabulary.Rows rows = v.rows(List.of(seqs.get(0).tokens()), c.rowLength(), new int[] {seqs.get(0).from()});
        long[] t = rows.targets()[0];
        for (int i = 0; i < doc.length; i++) {
            assertEquals(v.pad(), t[i], "no loss on the document, target " + i);
        }
        assertEquals(text[1], t[doc.length], "the loss starts at the pair's second token");
        assertEquals(true, seqs.get(0).tokens().length <= c.rowLength() + 1, "a document and a pair fit a row");
    }

    @Test
    void captionDropoutEmptiesSomeCaptionToImageCaptions() {
        FusionSequences s = of(FusionConfig.chameleon(TOK.vocabSize()));
        SplittableRandom rng = new SplittableRandom(3);
        int dropped = 0;
        for (int i = 0; i < 1000; i++) {
            long[] first = s.training("a large red circle", CODES, Map.of(), rng, List.of()).get(0).tokens();
            dropped += first[1] == TOK.eotId() ? 1 : 0;
        }
        assertEquals(100, dropped, 30, "about 10% of 1000");
    }

    @Test
    void instructionTuningTrainsFourTasksOnTheirAnswers() {
        FusionConfig c = FusionConfig.instruct(TOK.vocabSize());
        FusionSequences s = of(c);
        List<FusionSequences.Seq> seqs = s.training("a large red circle", CODES, Map.of("color", "red", "shape",
                "circle"), new SplittableRandom(1), List.of());
        assertEquals(4, seqs.size());
        long[] caption = seqs.get(0).tokens();
        long[] instr = s.text(FusionTasks.CAPTION);
        assertArrayEquals(instr, Arrays.copyOf(caption, instr.length), "caption this first");
        assertEquals(TOK.sotId(), caption[seqs.get(0).from()], "the loss covers the whole answer");
        long[] draw = seqs.get(1).tokens();
        assertEquals(new FusionVocabulary(c.textVocabSize(), 128).imageStart(), draw[seqs.get(1).from() - 1]);
        long[] q = seqs.get(2).tokens();
        assertArrayEquals(s.text("red"), Arrays.copyOfRange(q, seqs.get(2).from(), q.length));
        assertEquals(2, s.training("a large red circle", CODES, Map.of(), new SplittableRandom(1), List.of()).size(),
                "no questions without the metadata");
        for (FusionSequences.Seq q2 : seqs) {
            assertEquals(true, q2.tokens().length <= c.rowLength() + 1);
        }
    }

    @Test
    void editByTextReadsTheInstructionAndTheSourceAndPredictsTheTargetOnly() {
        FusionConfig c = FusionConfig.instruct(TOK.vocabSize());
        FusionSequences s = of(c);
        FusionVocabulary v = new FusionVocabulary(c.textVocabSize(), c.image().codebookSize());
        assertEquals(true, s.edits(), "the preset's context holds an instruction and two images");
        int[] source = new int[64];
        int[] target = new int[64];
        Arrays.fill(target, 5);
        FusionSequences.Seq e = s.edit(source, "make the circle blue", target);
        long[] prompt = FusionVocabulary.join(s.text("make the circle blue"), v.image(source),
                new long[] {v.imageStart()});
        assertArrayEquals(prompt, s.editPrompt(source, "make the circle blue"));
        assertArrayEquals(FusionVocabulary.join(prompt, Arrays.copyOfRange(v.image(target), 1, 66)), e.tokens());
        assertEquals(prompt.length, e.from(), "the loss starts at the target's first code");
        FusionVocabulary.Rows rows = v.rows(List.of(e.tokens()), s.editLength(), new int[] {e.from()});
        long[] t = rows.targets()[0];
        for (int i = 0; i < prompt.length - 1; i++) {
            assertEquals(v.pad(), t[i], "no loss on the instruction or the source, target " + i);
        }
        assertEquals(v.codeToken(5), t[prompt.length - 1]);
        assertEquals(v.imageEnd(), t[e.tokens().length - 2]);
        assertEquals(true, e.tokens().length - 1 <= c.decoder().contextLength());
        assertEquals(false, of(FusionConfig.tiny(TOK.vocabSize()).with(0, FusionTasks.INSTRUCT)).edits(),
                "an instruct config too short for two images trains without edits, as before");
        assertEquals(false, of(FusionConfig.chameleon(TOK.vocabSize())).edits(), "pretraining has no edits");
    }

    @Test
    void aFirstCutConfigJsonLoadsWithItsOldBehaviour() {
        FusionConfig tiny = FusionConfig.tiny(TOK.vocabSize());
        com.fasterxml.jackson.databind.node.ObjectNode json = org.vlm4j.io.ModelDir.JSON.valueToTree(tiny);
        json.remove(List.of("caption_dropout", "retrieved", "tasks"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("decoder")).remove(List.of("qk_norm",
                "norm_placement"));
        FusionConfig old = org.vlm4j.io.ModelDir.parse(json, FusionConfig.class, java.nio.file.Path.of("config.json"));
        assertEquals(tiny, old);
        assertEquals("pre", old.decoder().normPlacement());
        assertEquals(false, old.decoder().qkNorm());
    }

    @Test
    void configsCheckTheirStageAndOldOnesArePretraining() {
        FusionConfig tiny = FusionConfig.tiny(TOK.vocabSize());
        assertEquals(FusionTasks.PRETRAIN, tiny.tasks());
        assertEquals(0, tiny.retrieved());
        assertEquals(0f, tiny.captionDropout());
        assertThrows(IllegalArgumentException.class, () -> tiny.with(0, "finetune"));
        assertThrows(IllegalArgumentException.class, () -> FusionConfig.instruct(TOK.vocabSize()).with(1,
                FusionTasks.INSTRUCT));
        assertEquals(FusionConfig.chameleon(TOK.vocabSize()).decoder(), FusionConfig.instruct(TOK.vocabSize())
                .decoder(), "one architecture, so instruction tuning starts from pretrained weights");
    }
}
