/**
 * Training and evaluation data: image–caption datasets, the batch loader, and the synthetic Shapes generator.
 *
 * <h2>Data specs</h2>
 * {@link org.vlm4j.data.ImageTextDataset#open(String)} takes one string and picks the source:
 * <ul>
 *   <li>{@code captions.tsv} / {@code captions.csv}: a table of {@code image, caption} rows, paths relative to the
 *       table, optional header naming {@code image} and {@code text} (or {@code caption}), extra columns kept as
 *       metadata;</li>
 *   <li>a directory: an image folder, one sub-folder per class, caption = class name (a directory holding only
 *       {@code .tar} files is read as shards);</li>
 *   <li>{@code shards/data-{000..127}.tar} (braces, lists, globs, {@code ::}): WebDataset tar shards, streamed.</li>
 * </ul>
 * A spec that matches nothing is a {@link org.vlm4j.data.DataSpecException} naming it, before training starts.
 *
 * <h2>Bad data</h2>
 * Never a crash: corrupt or zero-byte images, missing files, missing or non-UTF-8 captions, paths escaping the
 * dataset root, truncated or missing shards and unparseable table tails are skipped and counted by
 * {@link org.vlm4j.data.SkipReason} ({@link org.vlm4j.data.BatchLoader#skipped()}, and one WARN line per reason
 * with its first example when the loader closes). Paths escaping the root are refused, never read (counted as
 * {@code path_outside_root}, not an error, so that one bad row cannot stop a run).
 *
 * <h2>Order and exact resume</h2>
 * Everything that decides which image goes into which batch is a pure function of the data and the seed, and is
 * computed by walking the entry list, never by decoding:
 * <ul>
 *   <li>Bad entries are <em>entries</em>: a table's bad rows and a shard's bad samples stay in the epoch stream as
 *       "skipped" entries, in place; decode failures happen at a fixed place too (the same bytes fail again). So
 *       the stream is identical on every run, and skipping is identical on resume.</li>
 *   <li>Epoch {@code e} of a table or folder is a Fisher–Yates permutation of all entries drawn from
 *       SplitMix64 seeded with {@code derive(seed, e, 0)} (a fixed, specified generator, not java.util.Random).</li>
 *   <li>Epoch {@code e} of shards is a permuted shard order ({@code derive(seed, e, 1)}) through a shuffle buffer
 *       of {@code B} entries ({@code derive(seed, e, 2)}): fill to {@code B}, emit a random slot, refill it. Shard
 *       entries carry their image as (shard, offset, length), so replaying the buffer reads tar headers and
 *       captions only; workers read image bytes with positional reads.</li>
 *   <li>A {@link org.vlm4j.data.BatchLoader.Position} {@code (epoch, offset)} counts entries of the epoch stream
 *       consumed, good and skipped alike; a batch's {@code end} is the position after its last image. Resuming
 *       re-creates epoch {@code epoch}'s stream and discards {@code offset} entries, then continues: the batches
 *       are bit-for-bit those of an uninterrupted run. Batches span epoch boundaries, so all are full.</li>
 * </ul>
 *
 * <h2>Pipeline</h2>
 * One loader thread walks the stream and submits decode + resize + normalise tasks to the worker pool
 * ({@link org.vlm4j.image.ImageWorkers#shared()} by default), assembles results in stream order, and hands
 * finished batches over through a bounded queue, so the model never waits on I/O while the pipeline keeps up.
 *
 * <h2>Shapes</h2>
 * {@link org.vlm4j.data.Shapes} draws small scenes of coloured shapes with compositional captions, with a
 * documented held-out set of colour–shape compositions for honest zero-shot tests and Winoground-style pairs.
 */
package org.vlm4j.data;
