package org.vlm4j.data;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vlm4j.image.DecodedImage;
import org.vlm4j.image.ImageDecodeException;
import org.vlm4j.image.ImageDecoder;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;

/**
 * Turns an {@link ImageTextDataset} into an endless, deterministic stream of {@link Batch}es, decoding and
 * resizing images on worker threads ahead of the consumer, with exact resume.
 *
 * <p><b>Order.</b> Epoch {@code e} is the dataset's epoch stream for {@code (seed, e)}: a permutation of the
 * entries for tables and folders, a permuted shard order through a seeded shuffle buffer for shards (see
 * {@link ShardDataset}). Epochs follow each other forever (a batch may span two epochs); each epoch reshuffles.
 * Every batch is full ({@code batchSize} images); entries that fail (see {@link SkipReason}) are skipped and the
 * batch is filled from the entries after them. With {@link Options#epochs()} set, the loader stops after that
 * epoch and {@link #next()} returns a last, possibly partial, batch and then null; with
 * {@link Options#shuffle()} off it reads entries in the dataset's natural order (evaluation).
 *
 * <p><b>Positions and resume.</b> A {@link Position} {@code (epoch, offset)} counts entries of the epoch's stream
 * consumed, good and skipped alike; {@link Batch#end()} is the position just after the batch's last image. A
 * loader started at a position re-creates that epoch's stream and walks it {@code offset} entries forward without
 * reading or decoding any image (tables and folders: a permutation; shards: tar headers and captions are re-read
 * so the shuffle buffer is replayed exactly, image bytes are skipped). Because bad entries sit at fixed places in
 * the stream and are skipped by the same rules, the resumed loader produces bit-for-bit the batches the original
 * would have produced after that point.
 *
 * <p><b>Pipeline.</b> One daemon thread walks the stream and submits one decode + preprocess task per entry to the
 * worker pool ({@link ImageWorkers#shared()} unless {@link Options#workers()} is set), keeping a bounded window of
 * tasks in flight, and assembles results in stream order into batches, which wait in a queue of
 * {@code prefetchBatches}. The model thread only takes finished batches.
 *
 * <p><b>Skips</b> are counted per reason by {@link #skipped()}: the entries skipped up to the end of the last batch
 * returned by {@link #next()} (so a resumed loader counts only what follows its start, and an entry is counted again
 * each epoch it is met). {@link #close()} logs one WARN line per reason with its count and first example.
 *
 * <p>{@link #next()} is meant for one consumer thread; {@link #skipped()} and {@link #position()} may be called
 * from any thread. Always close a loader (its thread waits on the queue otherwise).
 */
public final class BatchLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLoader.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final SkipReason[] REASONS = SkipReason.values();

    /** WebDataset's customary shuffle buffer size, used for shards unless {@link Options#shuffleBuffer()} says. */
    public static final int DEFAULT_SHUFFLE_BUFFER = 1000;

    /**
     * Where a loader is: {@code offset} entries of epoch {@code epoch}'s stream have been consumed. Two longs, for
     * checkpoints.
     */
    public record Position(long epoch, long offset) {
        /** The beginning of epoch 0. */
        public static final Position START = new Position(0, 0);

        public Position {
            if (epoch < 0 || offset < 0) {
                throw new IllegalArgumentException("position must be non-negative, got (" + epoch + ", " + offset + ")");
            }
        }

        /** Parses {@link #toString()}'s {@code epoch:offset}. */
        public static Position parse(String s) {
            int c = s.indexOf(':');
            if (c < 0) {
                throw new IllegalArgumentException("position must be 'epoch:offset', got '" + s + "'");
            }
            return new Position(Long.parseLong(s.substring(0, c).strip()), Long.parseLong(s.substring(c + 1).strip()));
        }

        @Override
        public String toString() {
            return epoch + ":" + offset;
        }
    }

    /**
     * Loader settings.
     *
     * @param batchSize       images per batch, &gt; 0
     * @param seed            order seed (with the epoch, it fixes every epoch's order)
     * @param start           where to start (null: {@link Position#START})
     * @param prefetchBatches finished batches kept ready, &gt; 0
     * @param shuffle         shuffle each epoch (training) or read in natural order (evaluation)
     * @param shuffleBuffer   shuffle buffer size for shards (tables and folders are permuted whole)
     * @param epochs          stop at the end of this epoch number (exclusive: 1 = one pass from epoch 0); 0 =
     *                        forever
     * @param workers         decode pool; null for {@link ImageWorkers#shared()}
     * @param captionMix      alternative captions drawn per entry (training), or null for the captions as given
     */
    public record Options(int batchSize, long seed, Position start, int prefetchBatches, boolean shuffle,
                          int shuffleBuffer, long epochs, ExecutorService workers, CaptionMix captionMix) {
        public Options {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            if (prefetchBatches <= 0) {
                throw new IllegalArgumentException("prefetchBatches must be positive, got " + prefetchBatches);
            }
            if (shuffleBuffer <= 0) {
                throw new IllegalArgumentException("shuffleBuffer must be positive, got " + shuffleBuffer);
            }
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be >= 0 (0 = forever), got " + epochs);
            }
            start = start == null ? Position.START : start;
        }

        /** Training: shuffled, endless, from the start, 2 batches prefetched, shared workers. */
        public static Options training(int batchSize, long seed) {
            return new Options(batchSize, seed, Position.START, 2, true, DEFAULT_SHUFFLE_BUFFER, 0, null, null);
        }

        /** Evaluation: one pass in the dataset's natural order; the last batch may be partial. */
        public static Options sequential(int batchSize) {
            return new Options(batchSize, 0, Position.START, 2, false, DEFAULT_SHUFFLE_BUFFER, 1, null, null);
        }

        public Options withStart(Position p) {
            return new Options(batchSize, seed, p, prefetchBatches, shuffle, shuffleBuffer, epochs, workers, captionMix);
        }

        public Options withPrefetch(int batches) {
            return new Options(batchSize, seed, start, batches, shuffle, shuffleBuffer, epochs, workers, captionMix);
        }

        public Options withShuffleBuffer(int size) {
            return new Options(batchSize, seed, start, prefetchBatches, shuffle, size, epochs, workers, captionMix);
        }

        public Options withEpochs(long n) {
            return new Options(batchSize, seed, start, prefetchBatches, shuffle, shuffleBuffer, n, workers, captionMix);
        }

        public Options withShuffle(boolean on) {
            return new Options(batchSize, seed, start, prefetchBatches, on, shuffleBuffer, epochs, workers, captionMix);
        }

        public Options withCaptionMix(CaptionMix mix) {
            return new Options(batchSize, seed, start, prefetchBatches, shuffle, shuffleBuffer, epochs, workers, mix);
        }

        public Options withWorkers(ExecutorService pool) {
            return new Options(batchSize, seed, start, prefetchBatches, shuffle, shuffleBuffer, epochs, pool, captionMix);
        }
    }

    private sealed interface Item permits BatchItem, EndItem, ErrorItem {}

    private record BatchItem(Batch batch, long[] skips, String[] examples) implements Item {}

    private record EndItem(long[] skips, String[] examples) implements Item {}

    private record ErrorItem(RuntimeException error) implements Item {}

    /** A decode result: pixels, or why the entry was skipped. */
    private record Result(float[] pixels, SkipReason skip, String problem) {}

    /** An entry in flight, or the end of an epoch. */
    private record Pending(Sample sample, Position after, Future<Result> result, long endedEpoch) {}

    private final ImageTextDataset data;
    private final ImagePreprocessor pre;
    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final Options opt;
    private final ExecutorService pool;
    private final int window;
    private final BlockingQueue<Item> queue;
    private final Thread thread;

    // Consumer-side state (guarded by this).
    private final long[] skipped = new long[REASONS.length];
    private final String[] examples = new String[REASONS.length];
    private Position position;
    private boolean finished;
    private RuntimeException failure;
    private volatile boolean closed;

    /**
     * The trainer's loader: shuffled, endless, starting at {@code start} (null for the beginning), decoding on
     * {@link ImageWorkers#shared()}.
     */
    public BatchLoader(ImageTextDataset data, ImagePreprocessor pre, int batchSize, long seed, Position start,
                       int prefetchBatches) {
        this(data, pre, Options.training(batchSize, seed).withStart(start).withPrefetch(prefetchBatches));
    }

    public BatchLoader(ImageTextDataset data, ImagePreprocessor pre, Options options) {
        this.data = Objects.requireNonNull(data, "data");
        this.pre = pre; // null: a text-only consumer (a language model); images are not read, batches carry no pixels
        this.opt = Objects.requireNonNull(options, "options");
        this.pool = options.workers() != null ? options.workers() : ImageWorkers.shared();
        int threads = pool instanceof ThreadPoolExecutor t ? t.getMaximumPoolSize()
                : Runtime.getRuntime().availableProcessors();
        this.window = Math.max(8, 4 * Math.min(threads, 256));
        this.queue = new ArrayBlockingQueue<>(options.prefetchBatches());
        this.position = options.start();
        this.thread = new Thread(this::produce, "vlm4j-batches-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /** The settings this loader runs with. */
    public Options options() {
        return opt;
    }

    /**
     * The next batch, waiting for it if needed. Returns null only for a loader with {@link Options#epochs()} set,
     * after its last batch.
     *
     * @throws IllegalStateException if the loader is closed, or if loading failed: a whole epoch without one
     *                               usable image, or an unexpected error (the cause)
     */
    public Batch next() throws InterruptedException {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the batch loader for " + data.spec() + " is closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (finished) {
                return null;
            }
        }
        Item item = queue.take();
        synchronized (this) {
            if (item instanceof BatchItem b) {
                add(b.skips(), b.examples());
                position = b.batch().end();
                return b.batch();
            }
            if (item instanceof EndItem e) {
                add(e.skips(), e.examples());
                finished = true;
                return null;
            }
            failure = ((ErrorItem) item).error();
            throw failure;
        }
    }

    private void add(long[] counts, String[] ex) {
        for (int i = 0; i < counts.length; i++) {
            skipped[i] += counts[i];
            if (examples[i] == null && ex[i] != null) {
                examples[i] = ex[i];
            }
        }
    }

    /** Position after the last batch returned by {@link #next()} (the start position before the first). */
    public synchronized Position position() {
        return position;
    }

    /** Skipped entries by reason id ({@link SkipReason#id()}), up to the last batch returned; non-zero only. */
    public synchronized Map<String, Long> skipped() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < REASONS.length; i++) {
            if (skipped[i] > 0) {
                m.put(REASONS[i].id(), skipped[i]);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The first skipped entry's one-line problem, by reason id (same keys as {@link #skipped()}). */
    public synchronized Map<String, String> skippedExamples() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < REASONS.length; i++) {
            if (skipped[i] > 0) {
                m.put(REASONS[i].id(), examples[i]);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Stops the loader thread and logs one WARN line per skip reason (count and first example). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
        Map<String, Long> counts = skipped();
        Map<String, String> ex = skippedExamples();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            LOG.warn("{}: skipped {} entr{} ({}); first: {}", data.spec(), e.getValue(),
                    e.getValue() == 1 ? "y" : "ies", e.getKey(), ex.get(e.getKey()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Loader thread.

    private void produce() {
        ArrayDeque<Pending> inflight = new ArrayDeque<>();
        SampleSource source = null;
        try {
            int per = pre == null ? 0 : pre.imageFloats();
            int side = pre == null ? 0 : pre.config().size();
            int bs = opt.batchSize();
            long epoch = opt.start().epoch();
            long index = opt.start().offset();
            boolean streamDone = opt.epochs() > 0 && epoch >= opt.epochs();
            if (!streamDone) {
                source = data.openEpoch(epoch, opt.seed(), opt.shuffle(), opt.shuffleBuffer());
                for (long i = 0; i < index; i++) {
                    if (source.next() == null) {
                        // The next read moves on to the next epoch; exact only if the data is unchanged.
                        LOG.warn("{}: start position {} is past the end of epoch {} ({} entries); did the data change"
                                + " since that position was saved? Continuing with epoch {}", data.spec(),
                                opt.start(), epoch, i, epoch + 1);
                        break;
                    }
                }
            }
            // Assembly state.
            long[] skips = new long[REASONS.length];
            String[] firstEx = new String[REASONS.length];
            long[] epochSkips = new long[REASONS.length];
            boolean epochWhole = index == 0;
            long epochGood = 0;
            float[] px = new float[bs * per];
            List<String> caps = new ArrayList<>(bs);
            List<Map<String, String>> metas = new ArrayList<>(bs);
            Position last = opt.start();
            while (true) {
                while (!streamDone && inflight.size() < window) {
                    Sample s = source.next();
                    if (s == null) {
                        source.close();
                        source = null;
                        inflight.add(new Pending(null, null, null, epoch));
                        epoch++;
                        index = 0;
                        if (opt.epochs() > 0 && epoch >= opt.epochs()) {
                            streamDone = true;
                        } else {
                            source = data.openEpoch(epoch, opt.seed(), opt.shuffle(), opt.shuffleBuffer());
                        }
                        continue;
                    }
                    index++;
                    Position after = new Position(epoch, index);
                    Future<Result> f = s.skip() != null
                            ? CompletableFuture.completedFuture(new Result(null, s.skip(), s.problem()))
                            : pre == null ? CompletableFuture.completedFuture(new Result(new float[0], null, null))
                            : pool.submit(() -> decode(s));
                    inflight.add(new Pending(s, after, f, -1));
                }
                Pending p = inflight.poll();
                if (p == null) { // finite loader, all read
                    if (!caps.isEmpty()) {
                        int n = caps.size();
                        put(new BatchItem(new Batch(Arrays.copyOf(px, n * per), n, side, side, List.copyOf(caps),
                                List.copyOf(metas), last), skips, firstEx));
                        skips = new long[REASONS.length];
                        firstEx = new String[REASONS.length];
                    }
                    put(new EndItem(skips, firstEx));
                    return;
                }
                if (p.sample() == null) { // end of epoch p.endedEpoch
                    if (epochWhole && epochGood == 0 && opt.epochs() == 0) {
                        throw new IllegalStateException("data spec '" + data.spec() + "': no usable image in a whole "
                                + "epoch (" + describe(epochSkips) + ")" + firstExample(firstEx));
                    }
                    epochWhole = true;
                    epochGood = 0;
                    epochSkips = new long[REASONS.length];
                    continue;
                }
                Result r;
                try {
                    r = p.result().get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    r = new Result(null, SkipReason.CORRUPT_IMAGE, p.sample().key() + ": " + c);
                }
                if (r.skip() != null) {
                    int k = r.skip().ordinal();
                    skips[k]++;
                    epochSkips[k]++;
                    if (firstEx[k] == null) {
                        firstEx[k] = r.problem();
                    }
                    continue;
                }
                epochGood++;
                System.arraycopy(r.pixels(), 0, px, caps.size() * per, per);
                Sample sample = opt.captionMix() == null ? p.sample()
                        : opt.captionMix().apply(p.sample(), opt.seed(), p.after().epoch(), p.after().offset());
                caps.add(sample.caption());
                metas.add(sample.meta());
                last = p.after();
                if (caps.size() == bs) {
                    put(new BatchItem(new Batch(px, bs, side, side, List.copyOf(caps), List.copyOf(metas), last),
                            skips, firstEx));
                    px = new float[bs * per];
                    caps.clear();
                    metas.clear();
                    skips = new long[REASONS.length];
                    firstEx = new String[REASONS.length];
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (IOException e) {
            fail(new IllegalStateException("data spec '" + data.spec() + "': " + e.getMessage(), e));
        } catch (RuntimeException e) {
            fail(e);
        } catch (Error e) {
            fail(new IllegalStateException("data spec '" + data.spec() + "': loader failed: " + e, e));
            throw e;
        } finally {
            for (Pending p : inflight) {
                if (p.result() != null) {
                    p.result().cancel(false);
                }
            }
            if (source != null) {
                try {
                    source.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }

    private void put(Item item) throws InterruptedException {
        queue.put(item);
    }

    private void fail(RuntimeException e) {
        if (closed) {
            return;
        }
        try {
            queue.put(new ErrorItem(e));
        } catch (InterruptedException ignored) {
            // closing
        }
    }

    private Result decode(Sample s) {
        Sample.ImageRef ref = s.image();
        if (ref == null) {
            return new Result(null, SkipReason.MISSING_IMAGE, s.key() + ": no image (text-only data for an image model)");
        }
        byte[] bytes;
        try {
            bytes = ref.read();
        } catch (NoSuchFileException e) {
            return new Result(null, SkipReason.MISSING_IMAGE, ref.name() + ": no such file");
        } catch (IOException e) {
            return new Result(null, SkipReason.CORRUPT_IMAGE, ref.name() + ": cannot read ("
                    + TableDataset.oneLine(e.getMessage()) + ")");
        }
        try {
            DecodedImage img = decoder.decode(bytes, ref.name());
            return new Result(pre.preprocess(img), null, null);
        } catch (ImageDecodeException e) {
            return new Result(null, SkipReason.CORRUPT_IMAGE, TableDataset.oneLine(e.getMessage()));
        } catch (RuntimeException e) {
            return new Result(null, SkipReason.CORRUPT_IMAGE, ref.name() + ": " + TableDataset.oneLine(e.toString()));
        }
    }

    private static String describe(long[] counts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sb.append(sb.length() == 0 ? "skipped: " : ", ").append(REASONS[i].id()).append('=').append(counts[i]);
            }
        }
        return sb.length() == 0 ? "the epoch is empty" : sb.toString();
    }

    private static String firstExample(String[] ex) {
        for (String e : ex) {
            if (e != null) {
                return "; e.g. " + e;
            }
        }
        return "";
    }
}
