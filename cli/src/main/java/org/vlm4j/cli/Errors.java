package org.vlm4j.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns an exception into the one line a user sees (no stack trace unless VLM4J_DEBUG is set). */
final class Errors {
    private Errors() {}

    static String oneLine(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        String msg;
        if (t instanceof NoSuchFileException) {
            msg = t.getMessage() + ": no such file";
        } else if (t instanceof AccessDeniedException) {
            msg = t.getMessage() + ": permission denied";
        } else if (t instanceof OutOfMemoryError) {
            msg = "out of memory (raise -Xmx through VLM4J_JAVA_OPTS, or use a smaller --batch-size)";
        } else {
            msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        return msg.lines().findFirst().orElse(msg);
    }
}
