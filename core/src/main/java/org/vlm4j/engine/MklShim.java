package org.vlm4j.engine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Loads the oneMKL vendor shim ({@code src/main/c/mkl_shim.c}, built into the jar by Maven) into the process's
 * global symbol scope.
 *
 * <p>How it works: libtorch_cpu.so links oneMKL statically, exports {@code mkl_serv_intel_cpu_true} and calls
 * it through its PLT. DJL loads libtorch with {@code System.load} (dlopen, RTLD_LOCAL); a library opened that
 * way resolves its symbols in the global scope first and in its own scope second. So a library opened earlier
 * with {@code RTLD_GLOBAL} that defines the symbol wins, exactly as {@code LD_PRELOAD} would, without a
 * launcher. It must happen before DJL loads libtorch, which {@link Vlm4jEngine#init()} guarantees.
 */
final class MklShim {

    static final String SYMBOL = "mkl_serv_intel_cpu_true";
    static final String LIBRARY_NAME = "libvlm4j_mklshim.so";
    static final int RTLD_NOW = 0x2;
    static final int RTLD_GLOBAL = 0x100;

    /**
     * What {@link #load} did.
     *
     * @param applied whether the shim is loaded and is the definition the global scope resolves
     * @param detail  why (not)
     * @param library the extracted library, or null
     */
    record Result(boolean applied, String detail, Path library) {}

    /** A strong reference: JNA closes a library (dlclose) whose NativeLibrary is garbage collected. */
    private static NativeLibrary shim;

    private MklShim() {}

    static String resourcePath(String platform) {
        return "org/vlm4j/engine/native/" + platform + "/" + LIBRARY_NAME;
    }

    /** Extracts and loads the shim with RTLD_NOW | RTLD_GLOBAL. Never throws: failures are in the result. */
    static synchronized Result load() {
        String platform = EngineEnv.platform();
        if (!platform.equals("linux-x86_64")) {
            return new Result(false, "no shim for " + platform, null);
        }
        if (shim != null) {
            return check(Path.of(shim.getFile().getPath()));
        }
        if (LibtorchProbe.isLoaded()) {
            // Too late for a guaranteed effect: oneMKL may already have bound or cached its CPU check.
            return new Result(false, "libtorch_cpu.so was loaded before Vlm4jEngine.init(), so the shim would come"
                    + " too late; call Vlm4jEngine.init() before any other DJL call", null);
        }
        String resource = resourcePath(platform);
        URL url = MklShim.class.getClassLoader().getResource(resource);
        if (url == null) {
            return new Result(false, "unavailable: " + resource + " is not on the classpath (built without gcc?)", null);
        }
        Path file;
        try {
            file = extract(url);
        } catch (IOException e) {
            return new Result(false, "unavailable: cannot extract " + resource + ": " + e, null);
        }
        try {
            shim = NativeLibrary.getInstance(file.toString(),
                    Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Result(false, "unavailable: cannot load " + file + ": " + e.getMessage(), file);
        }
        return check(file);
    }

    /**
     * Whether {@code dlsym} in the global scope (what libtorch's PLT resolves first) finds our definition, and it
     * returns 1.
     */
    private static Result check(Path file) {
        try {
            Function ours = shim.getFunction(SYMBOL);
            if (ours.invokeInt(new Object[0]) != 1) {
                return new Result(false, "loaded from " + file + " but " + SYMBOL + "() did not return 1", file);
            }
            Function global = NativeLibrary.getProcess().getFunction(SYMBOL);
            if (address(global) != address(ours)) {
                boolean returnsOne = global.invokeInt(new Object[0]) == 1;
                return new Result(returnsOne, "another " + SYMBOL + " comes first in the global scope (LD_PRELOAD?)"
                        + (returnsOne ? ", it returns 1" : ", it returns 0: shim not effective"), file);
            }
            return new Result(true, "loaded (dlopen RTLD_GLOBAL) from " + file, file);
        } catch (UnsatisfiedLinkError e) {
            return new Result(false, "loaded from " + file + " but " + SYMBOL + " not found: " + e.getMessage(), file);
        }
    }

    /**
     * Whether the global scope, once libtorch is loaded, still resolves the symbol to a definition that returns 1
     * (a cheap check after {@code Engine.getEngine}; the GEMM benchmark is the real measure).
     */
    static synchronized boolean stillEffective() {
        try {
            return NativeLibrary.getProcess().getFunction(SYMBOL).invokeInt(new Object[0]) == 1;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return false;
        }
    }

    private static long address(Function f) {
        return com.sun.jna.Pointer.nativeValue(f);
    }

    /**
     * Copies the shim to {@code ~/.vlm4j/native/<sha256 prefix>/} (reused across runs; written atomically), or to
     * a temporary file when the home folder is not writable.
     */
    static Path extract(URL url) throws IOException {
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try {
            Path dir = Path.of(System.getProperty("user.home"), ".vlm4j", "native", hash);
            Path target = dir.resolve(LIBRARY_NAME);
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, LIBRARY_NAME, ".tmp");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException | SecurityException | java.nio.file.InvalidPathException e) {
            Path tmp = Files.createTempFile("vlm4j_mklshim", ".so");
            Files.write(tmp, bytes);
            tmp.toFile().deleteOnExit();
            return tmp;
        }
    }
}
