package org.vlm4j.index;

/** An index opened with a model (or embedding size) other than the one that built it. */
public final class IndexMismatchException extends IllegalStateException {
    public IndexMismatchException(String message) {
        super(message);
    }
}
