/** Mutable so that tests and ../../bench/wasm-kernels-profile.ts can drive each path and compare. */
export const wasmKernelTuning = {
  /**
   * Crossover between the two Conv2DBackpropInput strategies, measured on dcgan-ref layers (batch
   * 16): per-phase convs win from 32 output channels up (4×4×512 → 8×8×256: 67 ms against 97 ms;
   * 8×8×64 → 16×16×32: 3.2 ms against 3.8 ms), the fused conv at 3 (32×32×64 → 64×64×3: 6-9 ms
   * against 10-14 ms).
   */
  fusedBelowChannels: 32,
  /**
   * engine/adam.ts runs the fused one-pass update (adam-update.ts, on the main thread) on variables
   * with fewer elements than this and the 13 ops (parallel on the thread pool) on larger ones.
   * Measured with 2 threads on a loaded 2-core machine: 16K elements 0.3 ms fused against 2.0 ms
   * in ops (13 kernel launches), 64K 1.3 against 2.1, 256K 4-5 against 4.9, 1M 19 against 7.
   */
  fusedAdamBelow: 1 << 18,
  /** Keep rearranged filters while their source tensor lives (see cachedFilters). */
  reuseFilters: true,
};
