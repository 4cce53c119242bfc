package org.vlm4j.model;

import java.util.List;
import java.util.Map;

/**
 * A model that holds other whole models (MiniGPT-5's frozen image decoder), each with its own config and tokenizer.
 * {@code ModelDir} saves each part as a model directory inside the model's ({@code DIR/name/}) and, after loading
 * the model, attaches the parts its config names.
 */
public interface ComposedModel {
    /** The parts held now, by name (saved as DIR/name/). */
    Map<String, VlmModel> parts();

    /** The names of the parts this model's config requires. */
    List<String> requiredParts();

    /** Gives a loaded part to the model, which owns (and closes) it from then on. */
    void attachPart(String name, VlmModel part);
}
