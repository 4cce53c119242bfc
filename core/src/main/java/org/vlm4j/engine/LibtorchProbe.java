package org.vlm4j.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Looks at the process's own memory map for libtorch (Linux only). */
final class LibtorchProbe {

    private LibtorchProbe() {}

    /** Whether libtorch_cpu.so is already mapped into this process (false where it cannot be told). */
    static boolean isLoaded() {
        return mappedPath("libtorch_cpu.so") != null;
    }

    /** The path of the first mapped file whose name is {@code fileName}, or null. */
    static String mappedPath(String fileName) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(l -> {
                        int slash = l.indexOf('/');
                        return slash < 0 ? null : l.substring(slash);
                    })
                    .filter(p -> p != null && (p.endsWith("/" + fileName)))
                    .findFirst()
                    .orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }
}
