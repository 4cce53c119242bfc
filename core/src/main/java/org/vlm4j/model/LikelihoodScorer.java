package org.vlm4j.model;

import java.util.List;
import java.util.Set;

/**
 * A generative classifier: an {@link ImageTextScorer} whose score of a pair is a log-likelihood under a model that
 * was trained to generate. With a uniform prior over the candidate texts, Bayes' rule makes the argmax of
 * {@code log p(image | text)} the most probable text, so zero-shot classification is an argmax over class texts.
 * Two directions: {@link Direction#IMAGE_GIVEN_TEXT} (the early-fusion model: the image's codes after the text) and
 * {@link Direction#TEXT_GIVEN_IMAGE} (captioners: the caption's tokens after the image). The second favours texts
 * of few tokens (each token costs probability), so it ranks texts of similar length best.
 */
public interface LikelihoodScorer extends ImageTextScorer {
    enum Direction {
        /** log p(image tokens | text), summed over the image's codes. */
        IMAGE_GIVEN_TEXT("image"),
        /** log p(text tokens | image), summed over the text's tokens after its start token (end token included). */
        TEXT_GIVEN_IMAGE("text");

        private final String id;

        Direction(String id) {
            this.id = id;
        }

        /** {@code log p(image | text)} or {@code log p(text | image)}. */
        public String describe() {
            return this == IMAGE_GIVEN_TEXT ? "log p(image | text)" : "log p(text | image)";
        }

        /** The short name the CLI takes ({@code image} or {@code text}: what is being predicted). */
        public String id() {
            return id;
        }

        public static Direction of(String id) {
            for (Direction d : values()) {
                if (d.id.equalsIgnoreCase(id) || d.name().equalsIgnoreCase(id)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("likelihood direction must be 'image' (log p(image | text)) or 'text'"
                    + " (log p(text | image)), got '" + id + "'");
        }
    }

    /** The directions this model can score. */
    Set<Direction> directions();

    /** The direction {@link #score(float[], int, int, int, List)} uses. */
    Direction defaultDirection();

    /** Log-likelihood of every (image, text) pair in that direction, [n][texts.size()], pixels [n, 3, h, w]. */
    float[][] score(float[] pixels, int n, int height, int width, List<String> texts, Direction direction);

    @Override
    default float[][] score(float[] pixels, int n, int height, int width, List<String> texts) {
        return score(pixels, n, height, width, texts, defaultDirection());
    }

    /** A view of this model that scores in {@code d} by default (e.g. for an evaluator that calls the plain score). */
    default LikelihoodScorer inDirection(Direction d) {
        requireDirection(d);
        LikelihoodScorer model = this;
        return new LikelihoodScorer() {
            @Override
            public Set<Direction> directions() {
                return Set.of(d);
            }

            @Override
            public Direction defaultDirection() {
                return d;
            }

            @Override
            public org.vlm4j.image.ImagePreprocessor preprocessor() {
                return model.preprocessor();
            }

            @Override
            public float[][] score(float[] pixels, int n, int height, int width, List<String> texts, Direction dir) {
                return model.score(pixels, n, height, width, texts, dir);
            }
        };
    }

    /** An error naming the direction when this model cannot score it. */
    default void requireDirection(Direction d) {
        if (!directions().contains(d)) {
            throw new IllegalArgumentException("likelihood direction '" + d.id() + "': this model scores "
                    + directions().stream().map(x -> "'" + x.id() + "' (" + x.describe() + ")").toList() + " only, not "
                    + d.describe());
        }
    }
}
