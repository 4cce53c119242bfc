package org.vlm4j.data;

/**
 * SplitMix64: a tiny, fully specified generator, so that data order and Shapes scenes are the same on every JVM
 * (java.util.Random and SplittableRandom do not promise their sequences across versions). Not thread-safe.
 */
final class Rng {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private long state;

    Rng(long seed) {
        this.state = seed;
    }

    /** SplitMix64's finaliser (Stafford variant 13): a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed derived from {@code seed} and a path of integers (epoch, stream id, index...). */
    static long derive(long seed, long... parts) {
        long h = mix(seed + GOLDEN);
        for (long p : parts) {
            h = mix(h ^ mix(p + GOLDEN));
        }
        return h;
    }

    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in {@code [0, bound)}, unbiased (rejection, as java.util.Random does). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int bits;
        int val;
        do {
            bits = (int) (nextLong() >>> 33);
            val = bits % bound;
        } while (bits - val + (bound - 1) < 0);
        return val;
    }

    /** Uniform in {@code [lo, hi]} (inclusive). */
    int nextInt(int lo, int hi) {
        return lo + nextInt(hi - lo + 1);
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    double nextDouble(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates, from the top). */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
