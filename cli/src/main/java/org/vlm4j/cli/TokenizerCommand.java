package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.text.BpeTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vlm4j tokenizer ...}: tokenizer tools (not a Runnable, so a missing subcommand is a usage error). */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Tokenizer tools: train a CLIP BPE vocabulary on captions.",
        subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train a CLIP byte-level BPE vocabulary on captions (OpenCLIP's cleaning and pre-tokeniser)"
                    + " and write it as an OpenCLIP merges file, loadable like CLIP's own tokenizer."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "FILE",
                description = "captions (repeatable): a .tsv/.csv (image<TAB>caption; a header row naming a text,"
                        + " caption or title column picks that column, else column 2), or a .txt with one caption per"
                        + " line; .gz is decompressed")
        List<Path> data;

        @Option(names = "--vocab-size", required = true, paramLabel = "N",
                description = "vocabulary size: 256 bytes + 256 bytes with </w> + merges + 2 special tokens ("
                        + BpeTrainer.MIN_VOCAB_SIZE + ".." + BpeTrainer.MAX_VOCAB_SIZE + ")")
        int vocabSize;

        @Option(names = "--min-frequency", paramLabel = "F", defaultValue = "" + BpeTrainer.DEFAULT_MIN_FREQUENCY,
                description = "stop early when no pair of symbols occurs F times (default: ${DEFAULT-VALUE})")
        int minFrequency;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "directory to write the tokenizer to (" + org.vlm4j.text.ClipBpeTokenizer.OPENCLIP_VOCAB_FILE
                        + ")")
        Path out;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // No engine needed: training is plain Java. Settings are checked before any file is read.
            BpeTrainer trainer = BpeTrainer.of(vocabSize).withMinFrequency(minFrequency);
            BpeTrainer.Result r = trainer.trainFiles(data);
            if (r.captions() == 0) {
                throw new IllegalArgumentException("no captions in " + data);
            }
            r.tokenizer().save(out);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("vocab_size", r.vocabSize());
            m.put("requested_vocab_size", vocabSize);
            m.put("merges", r.merges().size());
            m.put("captions", r.captions());
            m.put("words", r.words());
            m.put("min_frequency", minFrequency);
            m.put("stopped_early", r.stoppedEarly());
            m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), m);
            } else {
                if (r.stoppedEarly()) {
                    spec.commandLine().getErr().printf("vlm4j: note: stopped at vocabulary size %d of %d: no pair of"
                            + " symbols occurs %d times or more%n", r.vocabSize(), vocabSize, minFrequency);
                    spec.commandLine().getErr().flush();
                }
                spec.commandLine().getOut().printf("trained a %,d-token vocabulary (%,d merges) on %,d captions"
                        + " (%,d distinct words) in %.1f s into %s%n", r.vocabSize(), r.merges().size(), r.captions(),
                        r.words(), r.seconds(), out);
            }
            return 0;
        }
    }
}
