package org.vlm4j.image;

import java.io.IOException;

/**
 * An image file that cannot be decoded: missing, unreadable, truncated or corrupt, of an unsupported format, or
 * larger than the configured pixel limit. The message is one line of the form {@code "<file>: <problem>"}.
 */
public class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public ImageDecodeException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public ImageDecodeException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or caller-supplied name) the problem is about. */
    public String source() {
        return source;
    }
}
