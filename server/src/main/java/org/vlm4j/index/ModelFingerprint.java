package org.vlm4j.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.vlm4j.io.ModelDir;

/**
 * Identifies a model's numbers: SHA-256 over config.json and model.safetensors (each length-prefixed), so an index
 * is only ever searched with the model whose embeddings it holds. A copy of a model directory has the same
 * fingerprint; retraining, re-importing with other weights or changing the config gives another.
 */
public final class ModelFingerprint {
    private ModelFingerprint() {}

    public static String of(Path modelDir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String name : new String[] {ModelDir.CONFIG, ModelDir.WEIGHTS}) {
            Path f = modelDir.resolve(name);
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(f + ": missing (not a vlm4j model directory?)");
            }
            sha.update((name + ":" + Files.size(f) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] buf = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
