package org.vlm4j.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches autograd recording off on this thread for a block of inference code (grad mode is thread-local in
 * libtorch, so every inference thread must do this itself), and back on when closed.
 */
public final class NoGrad implements AutoCloseable {
    public NoGrad() {
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(true);
    }
}
