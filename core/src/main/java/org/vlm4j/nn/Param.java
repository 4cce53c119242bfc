package org.vlm4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * One named parameter of a {@link Module}: its array lives in the model's manager for the model's lifetime.
 * A frozen parameter ({@code trainable == false}) is skipped by the trainer and does not track gradients.
 */
public final class Param {
    private NDArray array;
    private boolean trainable = true;

    Param(NDArray array) {
        this.array = array;
    }

    public NDArray array() {
        return array;
    }

    /** Replaces the values (same shape), keeping the array object so references stay valid. */
    public void set(float[] values) {
        if (values.length != array.size()) {
            throw new IllegalArgumentException("expected " + array.size() + " values for shape " + array.getShape()
                    + ", got " + values.length);
        }
        // A fresh array rather than NDArray.set: set() goes through a libtorch path that prints a deprecation warning.
        replace(array.getManager().create(values, array.getShape()));
    }

    public boolean trainable() {
        return trainable;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
    }

    void replace(NDArray next) {
        // a parameter outlives any step: an NDScope open now (the trainer's) must not close the new value
        ai.djl.ndarray.NDScope.unregister(next);
        NDArray old = array;
        if (old.hasGradient()) {
            next.setRequiresGradient(true); // a loaded value keeps taking part in training
        }
        array = next;
        old.close();
    }
}
