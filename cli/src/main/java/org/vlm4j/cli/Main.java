package org.vlm4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vlm4j} command line. */
@Command(name = "vlm4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Vision-language models for the JVM: import, embed, tokenize, classify, caption, index, search,"
                + " serve.",
        subcommands = {QuickstartCommand.class, ImportCommand.class, ExportCommand.class, EmbedCommand.class,
                TrainCommand.class, TokenizeCommand.class, TokenizerCommand.class, ClassifyCommand.class,
                CaptionCommand.class, EvalCommand.class, DataCommand.class, InfoCommand.class, IndexCommand.class,
                SearchCommand.class, ServeCommand.class, TokenizeImageCommand.class, DetokenizeImageCommand.class,
                GenerateImageCommand.class, LmCommand.class, ExperimentCommand.class,
                EditImageCommand.class,
                FillMaskCommand.class, ScoreCommand.class,
                DiffusionClassifyCommand.class, AskCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI and returns its exit code (0 ok, 1 error, 2 usage); used by main and by the tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("vlm4j: error: " + Errors.oneLine(ex));
            if (System.getenv("VLM4J_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
