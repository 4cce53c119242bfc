package org.vlm4j.image;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The process-wide pool that decodes and resizes images (daemon threads, one per core, or vlm4j.imageWorkers). */
public final class ImageWorkers {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(
            Integer.getInteger("vlm4j.imageWorkers", Math.max(1, Runtime.getRuntime().availableProcessors())), r -> {
                Thread t = new Thread(r, "vlm4j-image-" + COUNTER.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private ImageWorkers() {}

    public static ExecutorService shared() {
        return POOL;
    }
}
