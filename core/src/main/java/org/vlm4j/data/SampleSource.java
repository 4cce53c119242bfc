package org.vlm4j.data;

import java.io.IOException;

/** One epoch of a dataset in its (shuffled or natural) order. Single-threaded; close releases open shards. */
interface SampleSource extends AutoCloseable {
    /** The next entry (possibly a skipped one), or null at the end of the epoch. */
    Sample next() throws IOException;

    @Override
    void close() throws IOException;
}
