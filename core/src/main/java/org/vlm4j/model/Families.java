package org.vlm4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.vlm4j.model.backbone.Blip2;
import org.vlm4j.model.backbone.Blip2QFormer;
import org.vlm4j.model.backbone.BridgeConfig;
import org.vlm4j.model.backbone.Bridges;
import org.vlm4j.model.backbone.FrozenBridge;
import org.vlm4j.model.backbone.MiniGpt4;
import org.vlm4j.model.backbone.MiniGpt5;
import org.vlm4j.model.backbone.MiniGptV2;
import org.vlm4j.model.backbone.QFormerConfig;
import org.vlm4j.model.backbone.QwenVl;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.model.contrastive.ClipConfig;
import org.vlm4j.model.contrastive.ClipPresets;
import org.vlm4j.model.contrastive.Llip;
import org.vlm4j.model.contrastive.SigLip;
import org.vlm4j.model.generative.FusionConfig;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.model.generative.VqVae;
import org.vlm4j.model.generative.VqVaeConfig;
import org.vlm4j.model.generative.VqVaePresets;
import org.vlm4j.model.generative.Coca;
import org.vlm4j.model.generative.CocaConfig;
import org.vlm4j.model.generative.CocaPresets;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.lm.LmConfig;
import org.vlm4j.model.lm.LmPresets;
import org.vlm4j.model.masking.Flava;
import org.vlm4j.model.masking.FlavaConfig;
import org.vlm4j.model.masking.MaskVlm;
import org.vlm4j.model.masking.MaskVlmConfig;
import org.vlm4j.model.masking.MaskingPresets;
import org.vlm4j.model.masking.VilBert;
import org.vlm4j.model.masking.VilBertConfig;
import org.vlm4j.model.masking.VisualBert;
import org.vlm4j.model.masking.VisualBertConfig;
import org.vlm4j.model.generative.diffusion.DiffusionConfig;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.text.Tokenizer;

/**
 * The one place that knows every family: its config record, how a model is built from one, and its training
 * presets. {@code ModelDir.load}, {@code vlm4j train} and {@code vlm4j info} dispatch here, so a new family is one
 * {@link #register} line (and its presets), never a new switch in each caller.
 */
public final class Families {
    /** Builds a fresh (randomly initialised) model of a family from its config record. */
    @FunctionalInterface
    public interface Factory<C> {
        VlmModel create(C config, Tokenizer tokenizer, long seed);
    }

    /**
     * A family: its name (config.json's {@code family}), config record class and factory; {@code text} is false for
     * image-only families (the VQ-VAE), which need no text tokenizer and ignore captions.
     */
    public record Family<C>(String name, Class<C> configClass, Factory<C> factory, boolean text) {
        public Family(String name, Class<C> configClass, Factory<C> factory) {
            this(name, configClass, factory, true);
        }

        public VlmModel create(Object config, Tokenizer tokenizer, long seed) {
            return factory.create(configClass.cast(config), tokenizer, seed);
        }
    }

    /**
     * A training preset: a named config whose text vocabulary is sized for a tokenizer fitted to the run's data
     * (image-only families ignore the size).
     */
    public record Preset(String name, String family, IntFunction<Object> config) {
        public Object config(int vocabSize) {
            return config.apply(vocabSize);
        }
    }

    private static final Map<String, Family<?>> FAMILIES = new LinkedHashMap<>();
    private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

    static {
        register(new Family<>(Clip.FAMILY, ClipConfig.class, SigLip::create));
        register(new Family<>(SigLip.FAMILY, ClipConfig.class, SigLip::create));
        register(new Family<>(Llip.FAMILY, ClipConfig.class, SigLip::create));
        for (String name : ClipPresets.NAMES) {
            preset(new Preset(name, ClipPresets.get(name).family(), v -> ClipPresets.get(name, v)));
        }
        register(new Family<>(VqVae.FAMILY, VqVaeConfig.class, VqVae::create, false));
        register(new Family<>(FusionModel.FAMILY, FusionConfig.class, FusionModel::create));
        preset(new Preset("fusion-tiny", FusionModel.FAMILY, FusionConfig::tiny)); // + a trained vqvae-tiny
        preset(new Preset("fusion-chameleon-tiny", FusionModel.FAMILY, FusionConfig::chameleon));
        preset(new Preset("fusion-rag-tiny", FusionModel.FAMILY, v -> FusionConfig.retrievalAugmented(v, 1))); // + --retriever
        preset(new Preset("fusion-instruct-tiny", FusionModel.FAMILY, FusionConfig::instruct)); // + --init a pretrained one
        for (String name : VqVaePresets.NAMES) {
            preset(new Preset(name, VqVae.FAMILY, v -> VqVaePresets.get(name)));
        }
        register(new Family<>(Coca.FAMILY, CocaConfig.class, Coca::new));
        for (String name : CocaPresets.NAMES) {
            preset(new Preset(name, Coca.FAMILY, v -> CocaPresets.get(name, v)));
        }
        register(new Family<>(LanguageModel.FAMILY, LmConfig.class, LanguageModel::create));
        for (String name : LmPresets.NAMES) {
            preset(new Preset(name, LanguageModel.FAMILY, v -> LmPresets.get(name, v)));
        }
        register(new Family<>(VisualBert.FAMILY, VisualBertConfig.class, VisualBert::new));
        register(new Family<>(Flava.FAMILY, FlavaConfig.class, Flava::new));
        register(new Family<>(VilBert.FAMILY, VilBertConfig.class, VilBert::new));
        register(new Family<>(MaskVlm.FAMILY, MaskVlmConfig.class, MaskVlm::new));
        for (String name : MaskingPresets.NAMES) {
            preset(new Preset(name, MaskingPresets.family(name), v -> MaskingPresets.get(name, v)));
        }
        register(new Family<>(DiffusionModel.FAMILY, DiffusionConfig.class, DiffusionModel::create));
        preset(new Preset("diffusion-tiny", DiffusionModel.FAMILY, DiffusionConfig::tiny));
        register(new Family<>(MiniGpt4.FAMILY, BridgeConfig.class, MiniGpt4::new));
        register(new Family<>(Blip2.FAMILY, BridgeConfig.class, Blip2::new));
        register(new Family<>(QwenVl.FAMILY, BridgeConfig.class, QwenVl::new));
        register(new Family<>(FrozenBridge.FAMILY, BridgeConfig.class, FrozenBridge::new));
        register(new Family<>(MiniGptV2.FAMILY, BridgeConfig.class, MiniGptV2::new));
        register(new Family<>(MiniGpt5.FAMILY, BridgeConfig.class, MiniGpt5::new));
        register(new Family<>(Blip2QFormer.FAMILY, QFormerConfig.class, Blip2QFormer::new));
        preset(new Preset("blip2-qformer-tiny", Blip2QFormer.FAMILY, QFormerConfig::tiny)); // + --vision DIR
        for (String name : Bridges.PRESETS) { // + --vision DIR --lm DIR in vlm4j train
            preset(new Preset(name, Bridges.familyOf(name), v -> Bridges.preset(name, v)));
        }
    }

    private Families() {}

    private static void register(Family<?> family) {
        FAMILIES.put(family.name(), family);
    }

    private static void preset(Preset preset) {
        PRESETS.put(preset.name(), preset);
    }

    /** The family of that name, or a clear error listing the known ones. */
    public static Family<?> family(String name) {
        Family<?> f = FAMILIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown family '" + name + "' (" + String.join(", ", FAMILIES.keySet())
                    + ")");
        }
        return f;
    }

    public static List<String> familyNames() {
        return new ArrayList<>(FAMILIES.keySet());
    }

    public static boolean isPreset(String name) {
        return PRESETS.containsKey(name);
    }

    /** The preset of that name, or a clear error listing the known ones. */
    public static Preset preset(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (" + String.join(", ", PRESETS.keySet())
                    + ")");
        }
        return p;
    }

    public static List<String> presetNames() {
        return new ArrayList<>(PRESETS.keySet());
    }
}
