package org.vlm4j.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A text tokenizer: what every text tower is fed through. */
public interface Tokenizer {
    /** Ids of the cleaned text, without start/end tokens, untruncated. */
    int[] encode(String text);

    /** Rows of [sot] + ids + [eot], padded to contextLength; over-long rows are cut and end in eot. */
    long[][] tokenize(List<String> texts, int contextLength);

    String decode(int[] ids);

    int vocabSize();

    int sotId();

    int eotId();

    int padId();

    /** Writes the files needed to load this tokenizer again into dir. */
    void save(Path dir) throws IOException;
}
