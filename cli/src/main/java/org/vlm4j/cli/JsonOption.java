package org.vlm4j.cli;

import picocli.CommandLine.Option;

/** The shared --json flag: machine-readable output on stdout. */
final class JsonOption {
    @Option(names = "--json", description = "print machine-readable JSON on stdout")
    boolean json;
}
