package org.vlm4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.vlm4j.model.ImageTextEncoder;

/**
 * The one thread that runs the model. Requests queue here; with dynamic batching on, the first queued embedding
 * job waits up to {@code waitMicros} (or until {@code maxBatch} images/texts are queued) for others, and all the
 * images of the gathered jobs go through the model in one call, all their texts in another. With batching off each
 * job is its own model call, so the two modes differ in batching only. One thread also keeps the two cores the
 * model's intra-op threads use free of competing model calls. Jobs whose caller gave up (cancelled futures) are
 * dropped unrun.
 */
final class ModelWorker implements AutoCloseable {
    private sealed interface Job permits Images, Texts, Task {}

    private record Images(float[] pixels, int n, CompletableFuture<float[][]> result) implements Job {}

    private record Texts(List<String> texts, CompletableFuture<float[][]> result) implements Job {}

    private record Task(Callable<Object> call, CompletableFuture<Object> result) implements Job {}

    private final ImageTextEncoder encoder;
    private final boolean batching;
    private final int maxBatch;
    private final long waitNanos;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private long modelCalls;
    private long batchedItems;

    ModelWorker(ImageTextEncoder encoder, boolean batching, int maxBatch, long waitMicros) {
        this.encoder = encoder;
        this.batching = batching;
        this.maxBatch = maxBatch;
        this.waitNanos = waitMicros * 1000;
        this.thread = new Thread(this::loop, "vlm4j-model");
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<float[][]> embedImages(float[] pixels, int n) {
        CompletableFuture<float[][]> f = new CompletableFuture<>();
        offer(new Images(pixels, n, f));
        return f;
    }

    CompletableFuture<float[][]> embedTexts(List<String> texts) {
        CompletableFuture<float[][]> f = new CompletableFuture<>();
        offer(new Texts(List.copyOf(texts), f));
        return f;
    }

    /** Runs any other model work (captioning, scoring) alone on the model thread. */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(Callable<T> call) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        offer(new Task((Callable<Object>) call, f));
        return (CompletableFuture<T>) f;
    }

    private void offer(Job j) {
        if (closed) {
            throw new IllegalStateException("the server is shutting down");
        }
        queue.add(j);
    }

    /** Model calls made and images + texts embedded so far (for /v1/model statistics). */
    synchronized long[] stats() {
        return new long[] {modelCalls, batchedItems};
    }

    private static int size(Job j) {
        return j instanceof Images i ? i.n() : j instanceof Texts t ? t.texts().size() : 0;
    }

    private void loop() {
        while (!closed) {
            Job first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                continue;
            }
            if (first instanceof Task t) {
                run(t);
                continue;
            }
            List<Job> group = new ArrayList<>();
            group.add(first);
            if (batching) {
                gather(group);
            }
            runGroup(group);
        }
    }

    /** Adds queued embedding jobs to {@code group} until maxBatch items or the wait runs out. */
    private void gather(List<Job> group) {
        int items = size(group.get(0));
        long deadline = System.nanoTime() + waitNanos;
        while (items < maxBatch) {
            Job next = queue.peek();
            if (next == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    next = queue.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (next == null) {
                    break;
                }
            } else if (next instanceof Task || items + size(next) > maxBatch) {
                break; // leave it queued for the next round
            } else {
                queue.poll();
            }
            if (next instanceof Task) {
                // polled a task while waiting: run the gathered batch first, then the task
                runGroup(List.copyOf(group));
                group.clear();
                run((Task) next);
                return;
            }
            group.add(next);
            items += size(next);
        }
    }

    private void run(Task t) {
        if (t.result().isCancelled()) {
            return;
        }
        try {
            t.result().complete(t.call().call());
        } catch (Throwable e) {
            t.result().completeExceptionally(e);
        }
    }

    private void runGroup(List<Job> group) {
        List<Images> images = new ArrayList<>();
        List<Texts> texts = new ArrayList<>();
        for (Job j : group) {
            if (j instanceof Images i && !i.result().isCancelled()) {
                images.add(i);
            } else if (j instanceof Texts t && !t.result().isCancelled()) {
                texts.add(t);
            }
        }
        if (!images.isEmpty()) {
            embedImageGroup(images);
        }
        if (!texts.isEmpty()) {
            embedTextGroup(texts);
        }
    }

    private void embedImageGroup(List<Images> jobs) {
        try {
            int n = 0;
            int per = jobs.get(0).pixels().length / Math.max(1, jobs.get(0).n());
            for (Images j : jobs) {
                n += j.n();
            }
            float[] all;
            if (jobs.size() == 1) {
                all = jobs.get(0).pixels();
            } else {
                all = new float[n * per];
                int off = 0;
                for (Images j : jobs) {
                    System.arraycopy(j.pixels(), 0, all, off, j.pixels().length);
                    off += j.pixels().length;
                }
            }
            int side = encoder.preprocessor().config().size();
            float[][] emb = encoder.encodePixels(all, n, side, side);
            count(n);
            int at = 0;
            for (Images j : jobs) {
                j.result().complete(java.util.Arrays.copyOfRange(emb, at, at + j.n()));
                at += j.n();
            }
        } catch (Throwable e) {
            jobs.forEach(j -> j.result().completeExceptionally(e));
        }
    }

    private void embedTextGroup(List<Texts> jobs) {
        try {
            List<String> all = new ArrayList<>();
            jobs.forEach(j -> all.addAll(j.texts()));
            float[][] emb = encoder.encodeTexts(all);
            count(all.size());
            int at = 0;
            for (Texts j : jobs) {
                j.result().complete(java.util.Arrays.copyOfRange(emb, at, at + j.texts().size()));
                at += j.texts().size();
            }
        } catch (Throwable e) {
            jobs.forEach(j -> j.result().completeExceptionally(e));
        }
    }

    private synchronized void count(int items) {
        modelCalls++;
        batchedItems += items;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Job j; (j = queue.poll()) != null; ) {
            IllegalStateException e = new IllegalStateException("the server is shutting down");
            if (j instanceof Images i) {
                i.result().completeExceptionally(e);
            } else if (j instanceof Texts t) {
                t.result().completeExceptionally(e);
            } else {
                ((Task) j).result().completeExceptionally(e);
            }
        }
    }
}
