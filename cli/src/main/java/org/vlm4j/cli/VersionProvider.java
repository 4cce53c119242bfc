package org.vlm4j.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"vlm4j " + (v == null ? "dev" : v), Cli.engineLine()};
    }
}
