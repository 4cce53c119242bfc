package org.vlm4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;

/**
 * fp32 GEMM throughput through DJL after {@link Vlm4jEngine#init()}: repeats an N x N x N matMul for about
 * {@code seconds} and prints GFLOP/s. Not a test; BENCHMARKS.md cites it. Run shim on and off in separate JVMs:
 *
 * <pre>
 * mvn -B -q -f pom.xml -pl core test-compile
 * mvn -B -q -f pom.xml -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) -Dvlm4j.mklShim=auto org.vlm4j.engine.GemmBench 1024 3
 * java -cp ... -Dvlm4j.mklShim=off org.vlm4j.engine.GemmBench 1024 3
 * </pre>
 *
 * Arguments: N (default 1024), seconds (default 3). Prints one line starting with {@code GEMM}: the GFLOP/s of the median
 * iteration (the headline), of the mean and of the best iteration.
 *
 * <p>{@code core/src/test/scripts/gemm-shim-ab.sh} runs the interleaved A/B and prints the medians.
 */
public final class GemmBench {

    private GemmBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3.0;
        EngineInfo info = Vlm4jEngine.init();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomUniform(-1f, 1f, new Shape(n, n), DataType.FLOAT32);
            NDArray b = manager.randomUniform(-1f, 1f, new Shape(n, n), DataType.FLOAT32);
            for (int i = 0; i < 5; i++) { // warm-up: thread pool, kernel dispatch, allocator
                a.matMul(b).close();
            }
            long budget = (long) (seconds * 1e9);
            long[] times = new long[1 << 16];
            long start = System.nanoTime();
            long elapsed;
            int iterations = 0;
            do {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                long t1 = System.nanoTime();
                if (iterations < times.length) {
                    times[iterations] = t1 - t0;
                }
                iterations++;
                elapsed = t1 - start;
            } while (elapsed < budget);
            long[] sorted = Arrays.copyOf(times, Math.min(iterations, times.length));
            Arrays.sort(sorted);
            double flop = 2.0 * n * n * (double) n;
            double mean = flop * iterations / (elapsed / 1e9) / 1e9;
            double median = flop / (sorted[sorted.length / 2] / 1e9) / 1e9;
            double best = flop / (sorted[0] / 1e9) / 1e9;
            // The median iteration is the headline: on a shared machine it is far less noisy than the mean.
            System.out.printf(Locale.ROOT, "GEMM N=%d fp32: %.1f GFLOP/s median iteration (mean %.1f, best %.1f; %d iterations"
                            + " in %.2f s; threads %d; shim %s; malloc %s)%n",
                    n, median, mean, best, iterations, elapsed / 1e9, info.threads(),
                    info.shimApplied() ? "applied" : "off [" + info.shimDetail() + "]",
                    info.mallocTuned() ? "tuned" : "default");
        }
    }
}
