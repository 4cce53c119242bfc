package org.vlm4j.model.generative.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The schedules against their formulas; DDPM and DDIM recover the data under the exact noise predictor. */
class SamplerTest {
    @Test
    void linearAndCosineSchedules() {
        NoiseSchedule lin = NoiseSchedule.of("linear", 1000);
        assertEquals(1e-4, lin.beta(0), 1e-12);
        assertEquals(0.02, lin.beta(999), 1e-12);
        double prod = 1;
        for (int t = 0; t < 1000; t++) {
            prod *= 1 - lin.beta(t);
        }
        assertEquals(prod, lin.alphaBar(999), 1e-12);
        assertEquals(1.0, lin.alphaBar(-1));
        NoiseSchedule cos = NoiseSchedule.of("cosine", 1000);
        double s = 0.008;
        double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
        double f500 = Math.pow(Math.cos((0.501 + s) / (1 + s) * Math.PI / 2), 2);
        assertEquals(f500 / f0, cos.alphaBar(500), 1e-9); // abar(t) = f(t + 1) / f(0) for step index t
        for (int t = 1; t < 1000; t++) {
            assertTrue(cos.alphaBar(t) < cos.alphaBar(t - 1) && lin.alphaBar(t) < lin.alphaBar(t - 1));
        }
        assertTrue(cos.alphaBar(999) < 1e-3 && lin.alphaBar(999) < 1e-3);
        assertArrayEquals(new int[] {999, 666, 333, 0}, cos.samplingTimesteps(4));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.of("sigmoid", 10));
    }

    /** With eps(x, t) = (x - sqrt(abar) c) / sqrt(1 - abar) (data = the single image c), both samplers end at c. */
    @Test
    void samplersRecoverTheDataUnderTheExactPredictor() {
        float[] c = {0.5f, -0.8f, 0.1f, 0.9f, -0.3f, 0f};
        for (String kind : new String[] {"linear", "cosine"}) {
            NoiseSchedule sch = NoiseSchedule.of(kind, 200);
            Sampler.NoisePredictor exact = (x, t) -> {
                double ab = sch.alphaBar(t);
                float[] e = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    e[i] = (float) ((x[i] - Math.sqrt(ab) * c[i % c.length]) / Math.sqrt(1 - ab));
                }
                return e;
            };
            for (SamplingConfig cfg : new SamplingConfig[] {SamplingConfig.ddpm(1f, 3), SamplingConfig.ddim(20, 1f, 3),
                new SamplingConfig("ddim", 50, 1f, 1f, 4)}) {
                float[] x = Sampler.sample(sch, cfg, 12, exact);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(c[i % c.length], x[i], 1e-3, kind + " " + cfg + " at " + i);
                }
            }
        }
    }
}
