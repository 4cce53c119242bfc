/*
 * oneMKL vendor shim for vlm4j.
 *
 * libtorch_cpu.so links oneMKL statically and exports mkl_serv_intel_cpu_true(); oneMKL calls it
 * through the PLT to decide whether the CPU is "Intel" and, when it is not, falls back to AVX2 GEMM
 * kernels even on CPUs with full-width AVX-512 (AMD Zen 4/5). Loaded into the global symbol scope
 * before libtorch (dlopen RTLD_GLOBAL, see org.vlm4j.engine.MklShim), this definition wins the
 * symbol lookup and oneMKL dispatches on the CPU's features instead of its vendor string.
 *
 * Undocumented oneMKL internals: gated on the CPU vendor and switchable (vlm4j.mklShim / VLM4J_MKL_SHIM).
 */
__attribute__((visibility("default"))) int mkl_serv_intel_cpu_true(void) {
    return 1;
}
