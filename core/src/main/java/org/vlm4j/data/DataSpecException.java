package org.vlm4j.data;

import java.io.IOException;

/**
 * A data spec that cannot be used: it matches nothing (no such table, an empty folder, a shard pattern with no
 * existing file) or is malformed. Raised by {@link ImageTextDataset#open(String)}, before any training starts. The
 * message is one line and starts with {@code data spec '<spec>'}.
 */
public class DataSpecException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String spec;

    public DataSpecException(String spec, String problem) {
        super("data spec '" + spec + "': " + problem);
        this.spec = spec;
    }

    public DataSpecException(String spec, String problem, Throwable cause) {
        super("data spec '" + spec + "': " + problem, cause);
        this.spec = spec;
    }

    /** The spec as the caller gave it. */
    public String spec() {
        return spec;
    }
}
