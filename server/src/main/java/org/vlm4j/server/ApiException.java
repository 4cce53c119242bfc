package org.vlm4j.server;

/** A request the server refuses: answered with this HTTP status and {@code {"error": message, "status": status}}. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }
}
