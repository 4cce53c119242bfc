package org.vlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vlm4j.data.Shapes;
import org.vlm4j.train.Checkpoint;

/**
 * A training run killed with SIGKILL between two checkpoints resumes from its newest checkpoint and finishes as one
 * run. Its losses are not always bit-identical to an uninterrupted run's: two uninterrupted runs of the same command
 * on one thread also part now and then (in the 7th digit, sometimes 0.5%), a known open fault that is sensitive to
 * garbage collection (BENCHMARKS.md, "Run-to-run divergence"). So the resumed losses are held to 2% of the
 * uninterrupted run's and the number of bit-identical steps is printed; CheckpointTest shows that the restored state
 * itself (weights, moments, step, data position) is exact.
 */
class TrainResumeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    ProcessBuilder train(Path data, Path out, boolean resume) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--model", "clip-tiny", "--data",
                data.toString(), "--out", out.toString(), "--steps", "12", "--batch-size", "32", "--checkpoint-every",
                "4", "--vocab-size", "600", "--seed", "7", "--json"));
        if (resume) {
            cmd.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(out.getFileName() + (resume ? "-resume" : "") + ".log").toFile());
        pb.environment().put("VLM4J_THREADS", "1");
        return pb;
    }

    static List<Float> losses(Path run) throws Exception {
        List<Float> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode j = JSON.readTree(line);
            assertEquals(out.size() + 1, j.get("step").asInt(), "metrics.jsonl reads as one run");
            out.add((float) j.get("loss").asDouble());
        }
        return out;
    }

    static long lines(Path f) throws Exception {
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void killedRunResumesWhereItStopped() throws Exception {
        Shapes.generate(tmp.resolve("data"), Shapes.Config.of(400, 3));
        Path data = tmp.resolve("data/train.tsv");

        Path full = tmp.resolve("full");
        Process p = train(data, full, false).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS) && p.exitValue() == 0, "uninterrupted run failed: "
                + Files.readString(tmp.resolve("full.log")));
        List<Float> expected = losses(full);
        assertEquals(12, expected.size());

        Path killed = tmp.resolve("killed");
        p = train(data, killed, false).start();
        Path metrics = killed.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (lines(metrics) < 6 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        p.waitFor(30, TimeUnit.SECONDS);
        long doneBeforeKill = lines(metrics);
        Path latest = Checkpoint.latest(killed).orElseThrow();
        long checkpointStep = Long.parseLong(latest.getFileName().toString().substring("step-".length()));
        assertTrue(doneBeforeKill > checkpointStep && checkpointStep < 12,
                "the kill should fall between checkpoints: " + doneBeforeKill + " steps logged, checkpoint " + checkpointStep);

        p = train(data, killed, true).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS) && p.exitValue() == 0, "resumed run failed: "
                + Files.readString(tmp.resolve("killed-resume.log")));
        List<Float> resumed = losses(killed);
        assertEquals(expected.size(), resumed.size());
        int exact = 0;
        for (int i = 0; i < expected.size(); i++) {
            float e = expected.get(i);
            float a = resumed.get(i);
            assertTrue(Math.abs(a - e) <= 0.02 * Math.abs(e), "step " + (i + 1) + ": " + a + " vs " + e
                    + " (uninterrupted " + expected + ", resumed " + resumed + ")");
            exact += Float.compare(a, e) == 0 ? 1 : 0;
        }
        System.out.println("resume: " + exact + " of " + expected.size() + " losses bit-identical to the uninterrupted run");
        assertTrue(Files.isRegularFile(killed.resolve("model/model.safetensors")));
        assertTrue(Files.isRegularFile(killed.resolve("training-curve.png")));
        assertEquals(Files.size(full.resolve("model/model.safetensors")),
                Files.size(killed.resolve("model/model.safetensors")));
    }
}
