package org.vlm4j.engine;

/** The PyTorch engine could not be started, or a vlm4j engine setting is invalid. */
public final class Vlm4jEngineException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public Vlm4jEngineException(String message) {
        super(message);
    }

    public Vlm4jEngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
