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
 * A training run killed with SIGKILL between two checkpoints and resumed gives, step for step, the losses of an
 * uninterrupted run, bit for bit (one thread, fp32), and the same final weights. Both runs force a garbage
 * collection before every step: that is what exposed DJL freeing the constants of scalar ops under autograd
 * (see nn.Scalars), which made identical runs part at step 2. The killed run also evaluates every 4 steps
 * ({@code --eval-every}): evaluation must not change a single loss, and eval.jsonl must read as one run.
 */
class TrainResumeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    ProcessBuilder train(Path data, Path out, boolean resume, String... extra) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Dai.djl.offline=true",
                "-Dvlm4j.debug.gcEveryStep=true", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--model", "clip-tiny", "--data",
                data.toString(), "--out", out.toString(), "--steps", "12", "--batch-size", "32", "--checkpoint-every",
                "4", "--vocab-size", "600", "--seed", "7", "--json"));
        if (resume) {
            cmd.add("--resume");
        }
        cmd.addAll(List.of(extra));
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
    void killedRunResumesBitIdentically() throws Exception {
        Shapes.generate(tmp.resolve("data"), Shapes.Config.of(400, 3));
        Path data = tmp.resolve("data/train.tsv");

        Path full = tmp.resolve("full");
        Process p = train(data, full, false).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS) && p.exitValue() == 0, "uninterrupted run failed: "
                + Files.readString(tmp.resolve("full.log")));
        List<Float> expected = losses(full);
        assertEquals(12, expected.size());

        Path killed = tmp.resolve("killed");
        String[] eval = {"--eval-every", "4", "--eval-data", tmp.resolve("data/val.tsv").toString(), "--eval-label",
            "{color} {shape}", "--eval-templates", "a large {}"};
        p = train(data, killed, false, eval).start();
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

        p = train(data, killed, true, eval).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS) && p.exitValue() == 0, "resumed run failed: "
                + Files.readString(tmp.resolve("killed-resume.log")));
        assertEquals(expected, losses(killed), "losses after resume equal the uninterrupted run's, bit for bit");
        assertTrue(Files.isRegularFile(killed.resolve("model/model.safetensors")));
        List<Integer> evalSteps = new ArrayList<>();
        for (String line : Files.readAllLines(killed.resolve("eval.jsonl"))) {
            JsonNode j = JSON.readTree(line);
            evalSteps.add(j.get("step").asInt());
            for (String k : List.of("image_to_text_R@1", "text_to_image_R@5", "zeroshot_top1")) {
                double v = j.get(k).asDouble(-1);
                assertTrue(v >= 0 && v <= 1, k + " in " + line);
            }
        }
        assertEquals(List.of(4, 8, 12), evalSteps, "eval.jsonl: every 4 steps, each once across the kill");
        assertTrue(Files.isRegularFile(killed.resolve("training-curve.png")));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(full.resolve("model/model.safetensors")),
                Files.readAllBytes(killed.resolve("model/model.safetensors"))), "final weights are identical");
    }
}
