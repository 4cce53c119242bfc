package org.vlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.CaptionMix;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.data.TextLinesDataset;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.eval.DatasetEvals;
import org.vlm4j.eval.PeriodicEval;
import org.vlm4j.eval.Templates;
import org.vlm4j.io.ModelDir;
import org.vlm4j.io.StateDict;
import org.vlm4j.model.Families;
import org.vlm4j.model.ImageTextEncoder;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.backbone.Blip2QFormer;
import org.vlm4j.model.backbone.Bridge;
import org.vlm4j.model.backbone.BridgeConfig;
import org.vlm4j.model.backbone.Bridges;
import org.vlm4j.model.backbone.MiniGpt5;
import org.vlm4j.model.backbone.QFormerConfig;
import org.vlm4j.model.backbone.Towers;
import org.vlm4j.model.generative.FusionDocuments;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.model.generative.VqVae;
import org.vlm4j.text.BpeTrainer;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.text.Tokenizer;
import org.vlm4j.train.FeatureCache;
import org.vlm4j.text.Tokenizers;
import org.vlm4j.train.Pretrainable;
import org.vlm4j.train.TrainListener;
import org.vlm4j.train.Trainer;
import org.vlm4j.train.TrainOptions;
import org.vlm4j.train.TrainingCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model of any family from scratch (or a bridge over pretrained towers) on image-caption"
                + " data, or a language model on text; resumable from checkpoints.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "a preset or a model config.json. Presets: clip-tiny, clip-small, siglip-tiny, siglip-small,"
                    + " llip-tiny; coca-tiny, vqvae-tiny, fusion-tiny, fusion-chameleon-tiny, fusion-rag-tiny,"
                    + " fusion-instruct-tiny, diffusion-tiny; visualbert-tiny, vilbert-tiny, flava-tiny, maskvlm-tiny;"
                    + " lm-tiny; minigpt4-tiny, minigptv2-tiny, minigpt5-tiny, blip2-qformer-tiny, blip2-tiny,"
                    + " qwenvl-tiny, frozen-tiny")
    String model;

    @Option(names = "--data", description = "data spec: a TSV/CSV file, a class-folder directory,"
            + " or tar shards such as data-{000..127}.tar")
    String data;

    @Option(names = "--text-data", paramLabel = "FILE", description = "instead of --data, for a language model"
            + " (lm-tiny): a UTF-8 text file, one text per line")
    Path textData;

    @Option(names = "--out", required = true, description = "run directory (checkpoints, metrics.jsonl, model/)")
    Path out;

    @Option(names = "--steps", defaultValue = "1000", description = "optimiser steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch-size", defaultValue = "64", description = "images per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--accumulate", defaultValue = "1",
            description = "micro-batches per step; contrastive negatives span all of them (default: ${DEFAULT-VALUE})")
    int accumulate;

    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--weight-decay", defaultValue = "0.2", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
    float weightDecay;

    @Option(names = "--caption-mix", paramLabel = "FIELD:P", description = "with probability P, train an image on the"
            + " alternative caption in its data field FIELD (a table column or shard member) instead of its caption,"
            + " drawn afresh each epoch (LaCLIP-style; e.g. short:0.75 for Shapes' short captions); FIELD_negative, if"
            + " present, replaces the hard negative")
    String captionMix;

    @Option(names = "--warmup", description = "warmup steps (default: 10% of --steps)")
    Integer warmup;

    @Option(names = "--seed", defaultValue = "0", description = "seed for weights and data order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint-every", description = "steps between checkpoints (default: steps / 5)")
    Integer checkpointEvery;

    @Option(names = "--tokenizer", description = "a tokenizer directory or vocabulary file, or 'clip' for CLIP's own"
            + " 49,408-token vocabulary; default: for presets,"
            + " a BPE vocabulary trained on the data's captions (--vocab-size; tables, folders or shards), else the"
            + " bundled CLIP vocabulary")
    Path tokenizer;

    @Option(names = "--vocab-size", defaultValue = "1000", description = "vocabulary of the fitted BPE (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--image-tokenizer", paramLabel = "DIR", description = "a trained VQ-VAE model directory: the"
            + " frozen image tokenizer of an early-fusion model (fusion-tiny needs a vqvae-tiny)")
    Path imageTokenizer;

    @Option(names = "--vision", paramLabel = "DIR", description = "bridges (minigpt4-tiny, blip2-tiny, qwenvl-tiny,"
            + " frozen-tiny, minigptv2-tiny, minigpt5-tiny) and blip2-qformer-tiny (BLIP-2 stage 1): the pretrained"
            + " vision tower, a CLIP or SigLIP model directory (frozen, except for frozen-tiny); blip2-tiny also takes"
            + " a trained blip2-qformer directory, whose Q-Former it starts from")
    Path vision;

    @Option(names = "--lm", paramLabel = "DIR", description = "bridges: the pretrained causal language model directory"
            + " (frozen; its tokenizer becomes the bridge's)")
    Path lm;

    @Option(names = "--decoder", paramLabel = "DIR", description = "minigpt5-tiny: a trained diffusion model directory"
            + " (e.g. --model diffusion-tiny), the frozen image decoder whose text conditioning the vokens learn to"
            + " produce; it is kept in the bridge's model directory, and the bridge then draws images (generate-image)")
    Path decoder;

    @Option(names = "--feature-cache", paramLabel = "DIR|memory", description = "bridges with a frozen vision tower:"
            + " cache its outputs per image, in memory or in DIR (reused by later runs over the same data and tower)")
    String featureCache;

    @Option(names = "--retriever", paramLabel = "DIR", description = "a model directory that embeds images and texts"
            + " (e.g. a CLIP trained here): the dense retriever of retrieval-augmented pretraining (fusion-rag-tiny),"
            + " which prepends related, diverse training pairs to each sequence, never the sample itself")
    Path retriever;

    @Option(names = "--init", paramLabel = "DIR", description = "start from this model directory's weights and"
            + " tokenizer (same architecture), e.g. fusion-instruct-tiny from a pretrained fusion-chameleon-tiny or"
            + " fusion-rag-tiny run's model")
    Path init;

    @Option(names = "--resume", description = "continue from the run directory's newest checkpoint")
    boolean resume;

    @Option(names = "--eval-every", paramLabel = "N", description = "evaluate on --eval-data every N steps and at the"
            + " end (retrieval R@1/R@5; zero-shot with --eval-label), appended to RUN_DIR/eval.jsonl")
    Integer evalEvery;

    @Option(names = "--eval-data", paramLabel = "SPEC", description = "a held-out data spec for --eval-every")
    String evalData;

    @Option(names = "--eval-label", paramLabel = "FORMAT", description = "also zero-shot during training: the class of"
            + " an eval entry, e.g. '{color} {shape}' or '{text}'")
    String evalLabel;

    @Option(names = "--eval-templates", defaultValue = "{}", paramLabel = "FILE|simple|imagenet80|TEMPLATE",
            description = "zero-shot templates for --eval-label (default: the bare class name)")
    String evalTemplates;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Vlm4jEngine.init();
        if ((data == null) == (textData == null)) {
            throw new IllegalArgumentException("give one of --data SPEC (images and captions) or --text-data FILE"
                    + " (text for a language model)");
        }
        // fails before training when the spec matches nothing
        ImageTextDataset dataset = textData != null ? TextLinesDataset.open(textData) : ImageTextDataset.open(data);
        if (evalEvery != null && evalData == null) {
            throw new IllegalArgumentException("--eval-every needs --eval-data SPEC (a held-out set to evaluate on)");
        }
        ImageTextDataset evalSet = evalData == null ? null : ImageTextDataset.open(evalData);
        String family = family();
        boolean text = Families.family(family).text();
        if (!text && tokenizer != null) {
            throw new IllegalArgumentException("--tokenizer: a " + family + " model reads no text (it trains on the"
                    + " images alone)");
        }
        boolean bridge = Bridges.FAMILIES.contains(family); // the LM's tokenizer, from --lm
        boolean stage1 = family.equals(Blip2QFormer.FAMILY); // BLIP-2 stage 1: --vision only
        if (stage1 && (lm != null || featureCache != null)) {
            throw new IllegalArgumentException("--lm and --feature-cache: a " + family + " model has no language model"
                    + " and trains without a feature cache");
        }
        if (!bridge && !stage1 && (vision != null || lm != null || featureCache != null)) {
            throw new IllegalArgumentException("--vision, --lm and --feature-cache are for bridge presets ("
                    + String.join(", ", Bridges.PRESETS) + "), not a " + family + " model");
        }
        if (decoder != null && !family.equals(MiniGpt5.FAMILY)) {
            throw new IllegalArgumentException("--decoder is for " + MiniGpt5.FAMILY + " bridges (minigpt5-tiny), not a "
                    + family + " model");
        }
        Tokenizer tok = text && !bridge ? tokenizer(dataset) : null; // image-only families: no vocabulary is fitted
        Object config = config(tok == null ? 0 : tok.vocabSize());
        TrainOptions o = TrainOptions.defaults(steps, batchSize, lr, seed);
        o = new TrainOptions(steps, batchSize, lr, weightDecay, warmup != null ? warmup : o.warmupSteps(), o.clipNorm(),
                accumulate, checkpointEvery != null ? checkpointEvery : o.checkpointEvery(), o.keepCheckpoints(), seed,
                o.maxNonFiniteInARow(), o.prefetchBatches(), captionMix == null ? null : CaptionMix.parse(captionMix));
        Map<String, Object> r = new LinkedHashMap<>();
        try (VlmModel created = bridge ? bridge((BridgeConfig) config)
                : stage1 ? Towers.qformer((QFormerConfig) config, vision, tok, seed)
                : Families.family(family).create(config, tok, seed); ProgressReporter progress =
                new ProgressReporter("train " + family, !json.json)) {
            if (!(created instanceof Pretrainable trainable)) {
                throw new IllegalArgumentException("--model " + model + ": the " + family + " family cannot be trained");
            }
            if (textData != null && trainable.preprocessor() != null) {
                throw new IllegalArgumentException("--text-data: a " + family + " model trains on images; give --data");
            }
            if (init != null) {
                StateDict.load(created.module(), init.resolve(ModelDir.WEIGHTS)); // shapes are checked, names too
            }
            if (created instanceof FusionModel && init != null) {
                if (imageTokenizer != null) {
                    throw new IllegalArgumentException("--image-tokenizer: the --init model brings its own");
                }
            } else if (created instanceof FusionModel fusion) {
                if (imageTokenizer == null) {
                    throw new IllegalArgumentException("--image-tokenizer DIR: a " + family + " model reads images as"
                            + " the codes of a trained VQ-VAE (train one with --model vqvae-tiny)");
                }
                try (VlmModel vq = ModelDir.load(imageTokenizer)) {
                    if (!(vq instanceof VqVae v)) {
                        throw new IllegalArgumentException("--image-tokenizer " + imageTokenizer + ": a " + vq.family()
                                + " model, not a VQ-VAE");
                    }
                    fusion.setImageTokenizer(v);
                }
            } else if (imageTokenizer != null) {
                throw new IllegalArgumentException("--image-tokenizer: a " + family + " model has no image tokenizer");
            }
            useRetriever(created, dataset);
            if (evalSet != null && !(created instanceof ImageTextEncoder)) {
                throw new IllegalArgumentException("--eval-data: a " + family + " model cannot embed images and texts,"
                        + " so retrieval cannot be evaluated during training");
            }
            PeriodicEval periodic = evalSet == null ? null : new PeriodicEval((ImageTextEncoder) created, evalSet,
                    evalEvery != null ? evalEvery : o.steps(), out, evalLabel == null ? null
                    : new PeriodicEval.ZeroShotSpec(DatasetEvals.format(evalLabel), null, Templates.resolve(evalTemplates)));
            TrainListener listener = periodic == null ? progress : TrainListener.all(progress, periodic);
            Trainer.Result res = new Trainer(o, listener).fit(trainable, dataset, out, resume);
            Path modelDir = out.resolve("model");
            ModelDir.save(trainable, modelDir);
            TrainingCurve.write(res.history(), out.resolve("training-curve.png"), family + " on " + dataset.spec());
            r.put("model_dir", modelDir.toString());
            r.put("steps", res.lastStep());
            r.put("first_step", res.firstStep());
            r.put("final_loss", res.lastLoss());
            r.put("seconds", res.seconds());
            r.put("images_per_second", res.imagesPerSecond());
            r.put("non_finite_skipped", res.nonFiniteSkipped());
            r.put("data_skipped", res.dataSkipped());
            if (periodic != null) {
                r.put("eval", periodic.latest());
            }
        }
        var w = spec.commandLine().getOut();
        if (json.json) {
            Cli.printJson(w, r);
        } else {
            w.printf("trained %s for %d steps in %.1f s (%.0f images/s), final loss %.4f%n", family,
                    r.get("steps"), r.get("seconds"), r.get("images_per_second"), r.get("final_loss"));
            w.printf("model: %s   curve: %s   metrics: %s%n", r.get("model_dir"), out.resolve("training-curve.png"),
                    out.resolve("metrics.jsonl"));
            if (r.containsKey("eval")) {
                w.printf("evaluation on %s: %s (all: %s)%n", evalData, r.get("eval"), out.resolve("eval.jsonl"));
            }
            if (!((Map<?, ?>) r.get("data_skipped")).isEmpty()) {
                w.printf("skipped data: %s%n", r.get("data_skipped"));
            }
        }
        return 0;
    }

    /** A bridge over the --vision and --lm towers, with the --feature-cache if any. */
    private Bridge bridge(BridgeConfig preset) throws Exception {
        Bridge b = Towers.bridge(preset, vision, lm, decoder, seed);
        if (featureCache != null) {
            b.setFeatureCache(featureCache.equals("memory") ? FeatureCache.inMemory()
                    : FeatureCache.onDisk(Path.of(featureCache)));
        }
        return b;
    }

    /** Builds the retrieved documents of a retrieval-augmented fusion config (and rejects a retriever elsewhere). */
    private void useRetriever(VlmModel created, ImageTextDataset dataset) throws Exception {
        int k = created instanceof FusionModel f ? f.config().retrieved() : 0;
        if (k == 0) {
            if (retriever != null) {
                throw new IllegalArgumentException("--retriever: this " + created.family() + " config retrieves no"
                        + " documents (use --model fusion-rag-tiny, or a fusion config with \"retrieved\" > 0)");
            }
            return;
        }
        if (retriever == null) {
            throw new IllegalArgumentException("--retriever DIR: this config prepends " + k + " retrieved documents"
                    + " to each sequence; give a model directory that embeds images and texts (e.g. a CLIP)");
        }
        FusionModel fusion = (FusionModel) created;
        try (VlmModel r = Cli.load(retriever)) {
            fusion.useDocuments(FusionDocuments.build(Cli.encoder(r, retriever), fusion.imageTokenizer(), dataset, k,
                    FusionDocuments.DEFAULT_LAMBDA, FusionDocuments.DEFAULT_DUPLICATE_CAP));
        }
    }

    private Tokenizer tokenizer(ImageTextDataset dataset) throws Exception {
        if (tokenizer != null && init != null) {
            throw new IllegalArgumentException("--tokenizer: the --init model brings its own");
        }
        if (init != null) {
            JsonNode cfg = ModelDir.readConfig(init);
            if (!cfg.hasNonNull("tokenizer")) {
                throw new IllegalArgumentException("--init " + init + ": a " + cfg.path("family").asText()
                        + " model has no text tokenizer");
            }
            return Tokenizers.load(cfg.get("tokenizer").asText(), init.resolve(ModelDir.TOKENIZER));
        }
        if (tokenizer != null) {
            return TokenizerFiles.load(tokenizer);
        }
        Path saved = out.resolve("tokenizer");
        if (resume && Files.isDirectory(saved)) {
            return ClipBpeTokenizer.load(saved); // the vocabulary the run started with
        }
        if (!Families.isPreset(model)) {
            return ClipBpeTokenizer.bundled();
        }
        // from scratch: a vocabulary fitted to (at most the first 200,000 of) the run's own captions, any source
        ClipBpeTokenizer fitted = BpeTrainer.of(vocabSize).train(dataset.captions(200_000)).tokenizer();
        fitted.save(saved);
        return fitted;
    }

    private Object config(int vocab) throws Exception {
        if (Families.isPreset(model)) {
            return Families.preset(model).config(vocab);
        }
        Path file = Path.of(model);
        return ModelDir.parseConfig(ModelDir.JSON.readTree(file.toFile()), file);
    }

    private String family() throws Exception {
        if (Families.isPreset(model)) {
            return Families.preset(model).family();
        }
        return ModelDir.JSON.readTree(Path.of(model).toFile()).get("family").asText();
    }
}
