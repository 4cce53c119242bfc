package org.vlm4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.data.Shapes;
import org.vlm4j.image.RgbImages;
import org.vlm4j.io.AtomicFiles;
import org.vlm4j.model.ImageGenerator;
import org.vlm4j.model.VlmModel;
import org.vlm4j.model.backbone.MiniGpt5;
import org.vlm4j.model.generative.FusionModel;
import org.vlm4j.model.generative.diffusion.DiffusionModel;
import org.vlm4j.model.generative.diffusion.SamplingConfig;
import org.vlm4j.nn.GenerationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate-image", mixinStandardHelpOptions = true,
        description = "Draw an image from a text with a model that writes images (the early-fusion token model, the"
                + " diffusion model).")
final class GenerateImageCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (family fusion,"
            + " diffusion, or minigpt5 trained with --decoder)")
    Path model;

    @Option(names = "--text", required = true, description = "what to draw, e.g. \"a red circle\"")
    String text;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "the PNG file to write")
    Path out;

    @Mixin
    CodeSamplingOptions sampling;

    @Option(names = "--sampler", paramLabel = "ddim|ddpm", description = "diffusion models: DDIM (--sampling-steps"
            + " steps) or DDPM (every timestep) (default: ddim)")
    String sampler;

    @Option(names = "--sampling-steps", paramLabel = "N", description = "diffusion models: DDIM steps (default: 50)")
    Integer samplingSteps;

    @Option(names = "--guidance", paramLabel = "W", description = "classifier-free guidance scale; 1 = the plain"
            + " conditional model, 0 = unconditional. Diffusion models (default: 3) and fusion models trained with"
            + " caption dropout, e.g. fusion-chameleon-tiny (default: 1, none)")
    Float guidance;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (text.isBlank()) {
            throw new IllegalArgumentException("--text is empty");
        }
        GenerationConfig gen = sampling.generation();
        try (VlmModel m = Cli.load(model)) {
            if (!(m instanceof ImageGenerator g)) {
                throw new IllegalArgumentException(model + ": a " + m.family() + " model cannot draw images");
            }
            if (!g.canGenerateImages()) {
                throw new IllegalArgumentException(model + ": this " + m.family() + " model has no image decoder"
                        + " (train it with --decoder DIR, a diffusion model)");
            }
            BufferedImage picture;
            float w;
            // MiniGPT-5 draws with its diffusion decoder: the same sampling settings apply
            DiffusionModel diffusion = m instanceof DiffusionModel d ? d
                    : m instanceof MiniGpt5 g5 && g5.config().decoder() != null ? g5.decoder() : null;
            if (diffusion != null) {
                DiffusionModel d = diffusion;
                SamplingConfig base = SamplingConfig.defaults(sampling.seed);
                d.setSampling(new SamplingConfig(sampler != null ? sampler : base.sampler(),
                        samplingSteps != null ? samplingSteps : base.steps(),
                        guidance != null ? guidance : base.guidance(), base.eta(), sampling.seed));
                w = d.sampling().guidance();
                picture = g.generatePictures(List.of(text), gen).get(0);
            } else {
                if (sampler != null || samplingSteps != null) {
                    throw new IllegalArgumentException("--sampler and --sampling-steps apply to diffusion models; " + model
                            + " is a " + m.family() + " model");
                }
                w = guidance == null ? 1f : guidance;
                if (w != 1f) {
                    if (!(m instanceof FusionModel f)) {
                        throw new IllegalArgumentException("--guidance: a " + m.family() + " model has no guidance");
                    }
                    picture = RgbImages.fromUnitChw(f.generateImages(List.of(text), gen, w)[0], g.imageSize(),
                            g.imageSize());
                } else {
                    picture = g.generatePictures(List.of(text), gen).get(0);
                }
            }
            AtomicFiles.writeBytes(out, Shapes.png(picture));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("text", text);
            r.put("png", out.toString());
            r.put("size", g.imageSize());
            r.put("seed", sampling.seed);
            if (diffusion != null) {
                DiffusionModel d = diffusion;
                r.put("sampler", d.sampling().sampler());
                r.put("sampling_steps", d.sampling().sampler().equals(SamplingConfig.DDPM)
                        ? d.config().timesteps() : Math.min(d.sampling().steps(), d.config().timesteps()));
            }
            r.put("guidance", w);
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("wrote a %dx%d image of \"%s\" to %s%n", g.imageSize(), g.imageSize(),
                        text, out);
            }
        }
        return 0;
    }
}
