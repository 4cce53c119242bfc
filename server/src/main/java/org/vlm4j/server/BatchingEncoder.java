package org.vlm4j.server;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.model.ImageTextEncoder;

/**
 * The model as request handlers see it: an {@link ImageTextEncoder} whose calls queue on the {@link ModelWorker}
 * (batched with other clients' calls) and give up after the request time limit with a 408. Lets shared code such as
 * {@link org.vlm4j.eval.ZeroShotClassifier} run on the batched model unchanged.
 */
final class BatchingEncoder implements ImageTextEncoder {
    private final ImageTextEncoder model;
    private final ModelWorker worker;
    private final long timeoutMs;

    BatchingEncoder(ImageTextEncoder model, ModelWorker worker, long timeoutMs) {
        this.model = model;
        this.worker = worker;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public int embedDim() {
        return model.embedDim();
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return model.preprocessor();
    }

    @Override
    public float[][] encodePixels(float[] pixels, int n, int height, int width) {
        return await(worker.embedImages(pixels, n), timeoutMs);
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        return await(worker.embedTexts(texts), timeoutMs);
    }

    @Override
    public float[][] logits(float[][] imageEmbeds, float[][] textEmbeds) {
        return model.logits(imageEmbeds, textEmbeds); // plain arithmetic on small arrays, no model call
    }

    /** Waits for a model result; a timeout cancels the job (the worker drops it) and answers 408. */
    static <T> T await(CompletableFuture<T> f, long timeoutMs) {
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new ApiException(408, "the request took longer than the server's limit of " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (CancellationException e) {
            throw new ApiException(503, "the request was cancelled");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c.getMessage(), c);
        }
    }
}
