package org.vlm4j.io;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The JSON value a config field takes when a config.json written before the field existed lacks it. Config records
 * are otherwise strict (every field required, see {@link ModelDir#parse}); a field added later carries this so that
 * older model directories keep loading.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface JsonDefault {
    /** The default as JSON text, e.g. {@code "[]"} or {@code "0"}. */
    String value();
}
