package org.vlm4j.experiment;

/**
 * One of the survey's claims turned into a run: train the compared models on the same data and budget, evaluate them
 * with the same protocol, and say from the numbers whether the claim held here.
 */
public interface Experiment {
    /** The command-line name, e.g. {@code siglip-vs-clip-batch}. */
    String name();

    /** The claim under test, in one sentence, with its source. */
    String claim();

    /** How many models the experiment trains (the budget is shared evenly among them). */
    int runs();

    ExperimentTable run(ExperimentContext context) throws Exception;
}
