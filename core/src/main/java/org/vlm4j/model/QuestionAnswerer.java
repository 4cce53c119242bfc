package org.vlm4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vlm4j.image.ImagePreprocessor;
import org.vlm4j.image.ImageWorkers;
import org.vlm4j.nn.GenerationConfig;

/**
 * A model that answers a question about an image (visual question answering), e.g. a bridge over a language model
 * prompted with a question template. Answers come back in input order, one per (image, question) pair.
 */
public interface QuestionAnswerer {
    /** How this model wants its images decoded, resized, cropped and normalised. */
    ImagePreprocessor preprocessor();

    /** Already-preprocessed pixels [n, 3, height, width] row-major, and question i about image i. */
    List<String> answer(float[] pixels, int n, int height, int width, List<String> questions,
                        GenerationConfig generation);

    /** Decodes and preprocesses image files (in parallel on the shared workers) and answers, chunks of 64. */
    default List<String> answerFiles(List<Path> files, List<String> questions, GenerationConfig generation)
            throws IOException {
        if (files.size() != questions.size()) {
            throw new IllegalArgumentException(files.size() + " images but " + questions.size() + " questions");
        }
        ImagePreprocessor pre = preprocessor();
        int size = pre.config().size();
        List<String> out = new ArrayList<>(files.size());
        for (int start = 0; start < files.size(); start += 64) {
            int end = Math.min(files.size(), start + 64);
            List<Path> part = files.subList(start, end);
            out.addAll(answer(pre.preprocessBatch(part, ImageWorkers.shared()), part.size(), size, size,
                    questions.subList(start, end), generation));
        }
        return out;
    }
}
