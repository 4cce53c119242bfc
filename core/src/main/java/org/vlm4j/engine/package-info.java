/**
 * The engine bootstrap: {@link org.vlm4j.engine.Vlm4jEngine#init()} is the first thing every entry point calls
 * (CLI, server, tests through {@code BootstrapSessionListener}, benchmarks), before any other DJL call.
 *
 * <h2>Settings (system property, then environment variable)</h2>
 * <table>
 *   <caption>Engine settings</caption>
 *   <tr><th>property</th><th>environment</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code vlm4j.mklShim}</td><td>{@code VLM4J_MKL_SHIM}</td><td>auto, on, off</td>
 *       <td>auto: on for an AMD CPU with AVX-512</td></tr>
 *   <tr><td>{@code vlm4j.mallocTuning}</td><td>{@code VLM4J_MALLOC_TUNING}</td><td>on, off</td><td>on (glibc only)</td></tr>
 *   <tr><td>{@code vlm4j.threads}</td><td>{@code VLM4J_THREADS}</td><td>positive integer</td>
 *       <td>physical cores (an explicit {@code ai.djl.pytorch.num_threads} wins)</td></tr>
 * </table>
 * {@code ai.djl.offline=true} and {@code ai.djl.pytorch.num_interop_threads=1} are set unless already set.
 *
 * <h2>The oneMKL vendor shim</h2>
 * {@code src/main/c/mkl_shim.c} defines {@code int mkl_serv_intel_cpu_true(void) { return 1; }}. Maven compiles it
 * with gcc (profile {@code mkl-shim}, Linux x86-64; skipped with a warning without gcc) into
 * {@code org/vlm4j/engine/native/linux-x86_64/libvlm4j_mklshim.so} inside the core jar. At run time it is copied to
 * {@code ~/.vlm4j/native/<sha256 prefix>/} (or a temp file) and opened through JNA with
 * {@code RTLD_NOW | RTLD_GLOBAL} before DJL loads libtorch. libtorch_cpu.so calls the symbol through its PLT, and a
 * library DJL opens with {@code System.load} resolves its symbols in the global scope before its own, so the
 * shim's definition wins: {@code LD_DEBUG=bindings} shows
 * {@code binding file .../libtorch_cpu.so [0] to .../libvlm4j_mklshim.so [0]: normal symbol `mkl_serv_intel_cpu_true'},
 * and oneMKL then no longer calls {@code mkl_serv_cpuiszen}. No {@code LD_PRELOAD} is needed.
 */
package org.vlm4j.engine;
