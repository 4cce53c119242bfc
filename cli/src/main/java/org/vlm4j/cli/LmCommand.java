package org.vlm4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vlm4j lm ...}: what a language model directory can do on its own. */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Language models (train one with: vlm4j train --model lm-tiny --text-data FILE).",
        subcommands = {LmGenerateCommand.class})
final class LmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
