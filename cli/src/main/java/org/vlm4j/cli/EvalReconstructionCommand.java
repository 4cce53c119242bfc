package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vlm4j.data.ImageTextDataset;
import org.vlm4j.eval.ReconstructionEval;
import org.vlm4j.model.VlmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vlm4j eval reconstruction}: how well an image tokenizer round-trips a dataset's images through codes. */
@Command(name = "reconstruction", mixinStandardHelpOptions = true,
        description = "Round-trip images through an image tokenizer's codes (VQ-VAE): mean PSNR, the PSNR of each"
                + " image's mean colour as a baseline, codebook usage and perplexity.")
final class EvalReconstructionCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a vlm4j model directory (family vqvae)")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "SPEC",
            description = "images: a TSV/CSV table, a class-folder directory or tar shards (captions are ignored)")
    String data;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ImageTextDataset dataset = ImageTextDataset.open(data);
        try (VlmModel m = Cli.load(model)) {
            ReconstructionEval.Result r = ReconstructionEval.evaluate(Cli.imageTokenizer(m, model), dataset);
            EvalCommand.print(spec.commandLine().getOut(), json.json, r.toMap());
        }
        return 0;
    }
}
