package org.vlm4j.cli;

import java.util.Set;
import org.vlm4j.nn.GenerationConfig;
import picocli.CommandLine.Option;

/** How image codes are sampled ({@code generate-image}, {@code edit-image}): temperature, top-k and seed. */
public class CodeSamplingOptions {
    @Option(names = "--temperature", defaultValue = "1.0", description = "sampling temperature; 0 for greedy"
            + " (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "sample among the k most likely codes; 0 for all"
            + " (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    /** One code per step ({@code maxNewTokens} 1: the models generate a grid themselves); checks the options. */
    GenerationConfig generation() {
        if (temperature < 0 || topK < 0) {
            throw new IllegalArgumentException("--temperature and --top-k must be >= 0");
        }
        return temperature == 0 ? GenerationConfig.greedy(1, Set.of())
                : GenerationConfig.sampling(1, temperature, topK, 1f, Set.of(), seed);
    }
}
