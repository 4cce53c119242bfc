package org.vlm4j.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.vlm4j.io.AtomicFiles;

/**
 * Expensive test fixtures built once per {@code mvn test} and shared by the suite's forks: a folder per fixture under
 * the directory named by the system property {@value #PROPERTY} (the pom names one per build), built under a file
 * lock by the first fork that needs it and read by the others. Without the property (a test run from an IDE), once
 * per JVM in a temporary folder. Forks are separate JVMs, so a static field alone builds a fixture once per fork.
 */
public final class SharedFixtures {
    public static final String PROPERTY = "vlm4j.test.shared";
    private static final String DONE = ".done";
    private static Path perJvm;

    private SharedFixtures() {}

    /** Writes a fixture's files into an empty folder. */
    @FunctionalInterface
    public interface Builder {
        void build(Path dir) throws Exception;
    }

    /** The folder of fixture {@code name}, built by {@code builder} if no fork has built it yet in this run. */
    public static synchronized Path dir(String name, Builder builder) throws Exception {
        Path root = root();
        Path dir = root.resolve(name);
        try (FileChannel ch = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            if (!Files.exists(dir.resolve(DONE))) {
                if (Files.exists(dir)) {
                    AtomicFiles.deleteTree(dir); // a fork died while building it
                }
                Files.createDirectories(dir);
                builder.build(dir);
                Files.createFile(dir.resolve(DONE));
            }
        }
        return dir;
    }

    private static Path root() throws IOException {
        String shared = System.getProperty(PROPERTY);
        if (shared != null && !shared.isBlank()) {
            return Files.createDirectories(Path.of(shared));
        }
        if (perJvm == null) {
            perJvm = Files.createTempDirectory("vlm4j-fixtures-");
        }
        return perJvm;
    }
}
