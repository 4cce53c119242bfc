package org.vlm4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The eval commands' tiny local readers for two simple layouts.
 *
 * <p>TODO(data): switch to org.vlm4j.data (ImageTextDataset: TSV/CSV, class folders, WebDataset shards) when that
 * package lands, and give the eval commands its --data SPEC; these readers exist only so that the commands work now.
 */
final class EvalInputs {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "gif");
    private static final Set<String> HEADER_NAMES = Set.of("image", "image_path", "filepath", "file", "path");

    private EvalInputs() {}

    /** Images, their captions, and the image each caption belongs to. */
    record Captions(List<Path> images, List<String> captions, int[] textToImage) {}

    /** Class names (in label order), images and their labels. */
    record Labelled(List<String> classNames, List<Path> images, int[] labels) {}

    /**
     * {@code image<TAB>caption} per line, UTF-8; a first line whose first field is image, image_path, filepath, file
     * or path is a header; blank lines are skipped; image paths are relative to the TSV's folder. An image on several
     * lines is one image with several captions (images in order of first appearance).
     */
    static Captions readCaptionTsv(Path tsv) throws IOException {
        if (!Files.isRegularFile(tsv)) {
            throw new NoSuchFileException(tsv.toString());
        }
        Path base = tsv.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        Map<Path, Integer> index = new LinkedHashMap<>();
        List<String> captions = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException(tsv + ":" + (n + 1) + ": expected image<TAB>caption");
            }
            String image = line.substring(0, tab).strip();
            String caption = line.substring(tab + 1).strip();
            if (n == 0 && HEADER_NAMES.contains(image.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (image.isEmpty() || caption.isEmpty()) {
                throw new IllegalArgumentException(tsv + ":" + (n + 1) + ": empty image path or caption");
            }
            Path p = base.resolve(image).normalize();
            Integer i = index.get(p);
            if (i == null) {
                i = index.size();
                index.put(p, i);
            }
            captions.add(caption);
            owner.add(i);
        }
        if (captions.isEmpty()) {
            throw new IllegalArgumentException(tsv + ": no image<TAB>caption lines");
        }
        return new Captions(List.copyOf(index.keySet()), captions, owner.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * One sub-folder per class, sorted by name (the label order); the class name is the folder name with '_' read as
     * a space; the images are the files with an image extension anywhere below it, sorted by path.
     */
    static Labelled readClassFolders(Path dir) throws IOException {
        return readClassFolders(dir, null);
    }

    /** As {@link #readClassFolders(Path)}, with the classes fixed to {@code folders} (another split's order). */
    static Labelled readClassFolders(Path dir, List<String> folders) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        List<String> found = folderNames(dir);
        if (found.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no class folders");
        }
        List<String> classes = folders == null ? found : folders;
        for (String f : found) {
            if (!classes.contains(f)) {
                throw new IllegalArgumentException(dir + ": class folder '" + f + "' is not among the training classes");
            }
        }
        List<Path> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String f : found) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir.resolve(f))) {
                files = s.filter(Files::isRegularFile).filter(EvalInputs::isImage).sorted().toList();
            }
            for (Path p : files) {
                images.add(p);
                labels.add(classes.indexOf(f));
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no images (" + String.join(", ", IMAGE_EXTENSIONS.stream()
                    .sorted().toList()) + ") in the class folders");
        }
        return new Labelled(classes.stream().map(f -> f.replace('_', ' ')).toList(), images,
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The class folder names under dir, sorted (hidden folders skipped). */
    static List<String> folderNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(f -> !f.startsWith("."))
                    .sorted().toList();
        }
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
