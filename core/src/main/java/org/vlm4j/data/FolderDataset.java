package org.vlm4j.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An image folder in torchvision's {@code ImageFolder} layout: {@code root/<class>/**}{@code /<image>}, one
 * sub-folder per class. Classes are the sub-folder names sorted (by {@link String#compareTo}); label {@code i} is
 * the {@code i}-th class. Images are the files with an image extension ({@code jpg jpeg png webp gif bmp}, any
 * case) anywhere below a class folder, sorted by path; hidden files and folders (names starting with {@code .}) and
 * files directly under the root are ignored.
 *
 * <p>The caption is the class name with {@code _} turned into spaces ({@code red_circle} → {@code red circle}), for
 * zero-shot evaluation and linear probes. Metadata: {@code __key__} (path relative to the root, {@code /}
 * separated), {@code class} (the folder name) and {@code label} (its index).
 */
final class FolderDataset extends ImageTextDataset.Indexed {
    private final List<String> classes;

    private FolderDataset(String spec, List<String> classes, List<Sample> entries) {
        super(spec, entries);
        this.classes = List.copyOf(classes);
    }

    @Override
    public Kind kind() {
        return Kind.FOLDER;
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    static FolderDataset scan(String spec, Path root) throws IOException {
        List<Path> classDirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (Files.isDirectory(d) && !d.getFileName().toString().startsWith(".")) {
                    classDirs.add(d);
                }
            }
        }
        classDirs.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        List<String> classes = new ArrayList<>();
        List<Sample> entries = new ArrayList<>();
        for (Path dir : classDirs) {
            String cls = dir.getFileName().toString();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir, Integer.MAX_VALUE, FileVisitOption.FOLLOW_LINKS)) {
                files = walk.filter(f -> isImage(dir, f)).sorted().toList();
            }
            if (files.isEmpty()) {
                continue;
            }
            int label = classes.size();
            classes.add(cls);
            String caption = cls.replace('_', ' ').strip();
            for (Path f : files) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("__key__", rel);
                meta.put("class", cls);
                meta.put("label", Integer.toString(label));
                entries.add(Sample.good(rel, new Sample.FileRef(f), caption, Collections.unmodifiableMap(meta)));
            }
        }
        if (entries.isEmpty()) {
            throw new DataSpecException(spec, "matches nothing (a folder with no class sub-folders holding images"
                    + " (" + String.join(", ", ImageTextDataset.IMAGE_EXTENSIONS) + "))");
        }
        return new FolderDataset(spec, classes, entries);
    }

    private static boolean isImage(Path classDir, Path f) {
        for (Path part : classDir.relativize(f)) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        if (!Files.isRegularFile(f)) {
            return false;
        }
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

}
