package org.vlm4j.index;

/** A search result: the image's path and caption, and its cosine similarity to the query (higher is closer). */
public record SearchHit(String path, String caption, float score) {}
