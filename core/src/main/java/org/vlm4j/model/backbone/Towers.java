package org.vlm4j.model.backbone;

import java.io.IOException;
import java.nio.file.Path;
import org.vlm4j.io.ModelDir;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.nn.TextDecoder;
import org.vlm4j.text.Tokenizer;

/**
 * Builds a bridge over pretrained towers from model directories: the vision tower of a CLIP / SigLIP model, of a
 * BLIP-2 stage-1 model (whose Q-Former a blip2 bridge starts from) or of another bridge (of the same family: the
 * whole bridge, so a recipe's next stage continues from the previous one), and a causal language model (the
 * {@code lm} family, or another bridge's LM). The bridge takes the LM's tokenizer.
 */
public final class Towers {
    private Towers() {}

    /**
     * The same with MiniGPT-5's frozen image decoder from {@code decoderDir} (a diffusion model directory; null:
     * none), which the bridge then owns.
     */
    public static Bridge bridge(BridgeConfig preset, Path visionDir, Path lmDir, Path decoderDir, long seed)
            throws IOException {
        if (decoderDir == null) {
            return bridge(preset, visionDir, lmDir, seed);
        }
        if (!preset.family().equals(MiniGpt5.FAMILY)) {
            throw new IllegalArgumentException("--decoder: a " + preset.family() + " bridge draws no images (only "
                    + MiniGpt5.FAMILY + " has an image decoder)");
        }
        VlmModel decoder = ModelDir.load(decoderDir);
        try {
            if (!(decoder instanceof DiffusionModel d)) {
                throw new IllegalArgumentException(decoderDir + ": a " + decoder.family() + " model, not a "
                        + DiffusionModel.FAMILY + " model (the image decoder)");
            }
            Bridge b = bridge(preset.withDecoder(d.config()), visionDir, lmDir, seed);
            ((MiniGpt5) b).attachPart(MiniGpt5.DECODER, d);
            return b;
        } catch (IOException | RuntimeException e) {
            decoder.close();
            throw e;
        }
    }

    /** A fresh bridge of {@code preset}'s family and bridge settings over the towers in those directories. */
    public static Bridge bridge(BridgeConfig preset, Path visionDir, Path lmDir, long seed) throws IOException {
        if (visionDir == null || lmDir == null) {
            throw new IllegalArgumentException("a " + preset.family() + " bridge needs --vision DIR (a CLIP or SigLIP"
                    + " model) and --lm DIR (a language model)");
        }
        try (VlmModel vision = ModelDir.load(visionDir); VlmModel lmModel = ModelDir.load(lmDir)) {
            TextDecoder lm = decoder(lmModel, lmDir);
            Tokenizer tok = lmModel.tokenizer();
            if (tok == null) {
                throw new IllegalArgumentException(lmDir + ": the language model has no tokenizer");
            }
            BridgeConfig cfg;
            Bridge b;
            if (vision instanceof Clip clip) {
                cfg = preset.withTowers(clip.config().vision(), lm.config(), clip.config().preprocess());
                b = create(cfg, tok, seed);
                b.loadVision(clip.visual());
            } else if (vision instanceof Bridge other && other.family().equals(preset.family())) {
                // the next stage of a recipe: the previous stage's bridge settings and weights, a (new) LM
                cfg = other.config().withTowers(other.config().vision(), lm.config(), other.config().preprocess())
                        .withDecoder(preset.decoder()); // MiniGPT-5: the decoder of this run (--decoder), if any
                b = create(cfg, tok, seed);
                b.loadBridge(other);
            } else if (vision instanceof Bridge other) {
                cfg = preset.withTowers(other.config().vision(), lm.config(), other.config().preprocess());
                b = create(cfg, tok, seed);
                b.loadVision(other.visual());
            } else if (vision instanceof Blip2QFormer stage1) { // BLIP-2 stage 2 starts from the stage-1 Q-Former
                QFormerConfig q = stage1.config();
                cfg = preset.withTowers(q.vision(), lm.config(), q.preprocess());
                if (preset.family().equals(Blip2.FAMILY)) {
                    cfg = cfg.withQFormer(q.queries(), q.width(), q.layers(), q.heads());
                }
                b = create(cfg, tok, seed);
                b.loadVision(stage1.visual());
                if (b instanceof Blip2 blip2) {
                    blip2.loadQFormer(stage1);
                }
            } else {
                throw new IllegalArgumentException(visionDir + ": a " + vision.family() + " model has no vision tower"
                        + " a bridge can use (clip, siglip, blip2-qformer or another bridge)");
            }
            b.loadLanguageModel(lm);
            return b;
        }
    }

    /** BLIP-2 stage 1 over the vision tower of a CLIP / SigLIP directory, with the run's tokenizer. */
    public static Blip2QFormer qformer(QFormerConfig preset, Path visionDir, Tokenizer tok, long seed)
            throws IOException {
        if (visionDir == null) {
            throw new IllegalArgumentException("a " + Blip2QFormer.FAMILY + " model needs --vision DIR (a CLIP or"
                    + " SigLIP model: its frozen vision tower)");
        }
        try (VlmModel vision = ModelDir.load(visionDir)) {
            if (!(vision instanceof Clip clip)) {
                throw new IllegalArgumentException(visionDir + ": a " + vision.family() + " model, not a CLIP or"
                        + " SigLIP model");
            }
            Blip2QFormer q = new Blip2QFormer(preset.withVision(clip.config().vision(), clip.config().preprocess()),
                    tok, seed);
            q.loadVision(clip.visual());
            return q;
        }
    }

    private static Bridge create(BridgeConfig cfg, Tokenizer tok, long seed) {
        return (Bridge) org.vlm4j.model.Families.family(cfg.family()).create(cfg, tok, seed);
    }

    /** The causal decoder of a language model directory. */
    static TextDecoder decoder(VlmModel m, Path dir) {
        TextDecoder d = null;
        if (m instanceof LanguageModel lm) {
            d = lm.decoder();
        } else if (m instanceof Bridge b) {
            d = b.lm();
        }
        if (d == null || d.config().crossAttention()) {
            throw new IllegalArgumentException(dir + ": a " + m.family() + " model is not a causal language model a"
                    + " bridge can use (it needs a decoder without cross-attention)");
        }
        return d;
    }
}
