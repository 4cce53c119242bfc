package org.vlm4j.model;

import org.vlm4j.nn.Module;
import org.vlm4j.text.Tokenizer;

/** What every model of every family is: a module tree with a config, a tokenizer, and a lifetime. */
public interface VlmModel extends AutoCloseable {
    /** The family name written to config.json ("clip", "siglip", ...). */
    String family();

    Module module();

    /** The config record, serialised as config.json. */
    Object config();

    Tokenizer tokenizer();

    @Override
    void close();
}
