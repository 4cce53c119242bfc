package org.vlm4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vlm4j.engine.Vlm4jEngine;
import org.vlm4j.io.ModelDir;
import org.vlm4j.io.convert.ClipImporter;
import org.vlm4j.io.convert.LmImporter;
import org.vlm4j.model.lm.LanguageModel;
import org.vlm4j.model.contrastive.Clip;
import org.vlm4j.text.ClipBpeTokenizer;
import org.vlm4j.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import an OpenCLIP or HuggingFace CLIP / SigLIP checkpoint, or a HuggingFace GPT-2 or Llama"
                + " language model (safetensors), into a vlm4j model directory.")
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--format", required = true, description = "openclip or hf (CLIP / SigLIP); gpt2 or llama"
            + " (language models)")
    String format;

    @Option(names = "--weights", required = true, description = "the checkpoint's .safetensors file")
    Path weights;

    @Option(names = "--config", required = true,
            description = "OpenCLIP model-config JSON, or HF config.json")
    Path config;

    @Option(names = "--tokenizer", description = "bpe_simple_vocab_16e6.txt.gz, an HF vocab.json (merges.txt beside it),"
            + " or a directory holding either; default: the bundled OpenAI CLIP vocabulary. Language models: a"
            + " tokenizer.json, or GPT-2's vocab.json + merges.txt (default: none, token ids only)")
    Path tokenizer;

    @Option(names = "--out", required = true, description = "the model directory to write")
    Path out;

    @Mixin
    JsonOption json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Vlm4jEngine.init();
        LmImporter.Format lm = LmImporter.formatOrNull(format);
        if (lm != null) {
            return importLanguageModel(lm);
        }
        ClipImporter.Format f = ClipImporter.parseFormat(format);
        Tokenizer tok = TokenizerFiles.load(tokenizer);
        int vocab = ClipImporter.config(f, config).text().vocabSize();
        if (tokenizer == null && vocab != tok.vocabSize()) {
            // e.g. HF SigLIP (SentencePiece, 32k): import the weights; texts then need a tokenizer given later.
            spec.commandLine().getErr().println("vlm4j: note: the checkpoint's vocabulary (" + vocab
                    + ") is not CLIP's; importing without a tokenizer (give --tokenizer to add one)");
            tok = null;
        }
        try (Clip model = ClipImporter.load(f, weights, config, tok)) {
            ModelDir.save(model, out);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("family", model.family());
            r.put("parameters", model.parameterCount());
            r.put("embed_dim", model.embedDim());
            r.put("image_size", model.config().vision().imageSize());
            r.put("context_length", model.config().text().contextLength());
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("imported %s model (%,d parameters, embed dim %d) into %s%n",
                        model.family(), model.parameterCount(), model.embedDim(), out);
            }
        }
        return 0;
    }

    private int importLanguageModel(LmImporter.Format lm) throws Exception {
        Tokenizer tok = tokenizer == null ? null : LmImporter.tokenizer(lm, tokenizer);
        try (LanguageModel model = LmImporter.load(lm, weights, config, tok)) {
            ModelDir.save(model, out);
            var d = model.config().decoder();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("family", model.family());
            r.put("parameters", model.parameterCount());
            r.put("vocab_size", d.vocabSize());
            r.put("context_length", d.contextLength());
            r.put("layers", d.layers());
            r.put("tokenizer", tok != null);
            if (json.json) {
                Cli.printJson(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("imported a %s language model (%,d parameters, %d layers%s) into"
                        + " %s%n", format, model.parameterCount(), d.layers(), tok == null ? ", no tokenizer" : "",
                        out);
            }
        }
        return 0;
    }
}
