package org.vlm4j.server;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.vlm4j.index.IndexedImage;
import org.vlm4j.index.VectorIndex;

/**
 * Serves the bytes of indexed images, and nothing else: the requested path must be a document of the index
 * (an exact match of its path field), normalised, and inside one of the folders the index was built from. A path
 * that climbs out (.., another folder) is 403; a path inside but not indexed is 404.
 */
final class Thumbnails {
    private final VectorIndex index;

    Thumbnails(VectorIndex index) {
        this.index = index;
    }

    record Image(String contentType, byte[] bytes) {}

    Image read(String requested) throws IOException {
        if (requested == null || requested.isBlank()) {
            throw ApiException.badRequest("missing query parameter 'path'");
        }
        String filePart = requested.contains(".tar:") ? requested.substring(0, requested.indexOf(".tar:") + 4)
                : requested;
        Path p;
        try {
            p = Path.of(filePart);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("malformed path: " + e.getMessage());
        }
        if (!p.isAbsolute() || !p.normalize().toString().equals(filePart) || insideNoRoot(filePart)) {
            throw new ApiException(403, "path is outside the indexed folders: " + requested);
        }
        Optional<IndexedImage> img = index.get(requested);
        if (img.isEmpty()) {
            throw new ApiException(404, "not an indexed image: " + requested);
        }
        byte[] bytes;
        try {
            bytes = img.get().read();
        } catch (NoSuchFileException e) {
            throw new ApiException(404, "indexed image no longer exists on disk: " + requested);
        }
        return new Image(contentType(bytes), bytes);
    }

    private boolean insideNoRoot(String file) {
        for (String root : index.meta().roots()) {
            if (file.startsWith(root.endsWith("/") ? root : root + "/")) {
                return false;
            }
        }
        return true;
    }

    static String contentType(byte[] b) {
        if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return "image/gif";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E') {
            return "image/webp";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return "application/octet-stream";
    }
}
