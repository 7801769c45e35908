/** Mutable so that tests and ../../bench/wasm-kernels-profile.ts can drive each path and compare. */
export const wasmKernelTuning = {
  /**
   * Crossover between the two Conv2DBackpropInput strategies, measured on dcgan-ref layers (batch
   * 16): per-phase convs win from 32 output channels up (4×4×512 → 8×8×256: 67 ms against 97 ms;
   * 8×8×64 → 16×16×32: 3.2 ms against 3.8 ms), the fused conv at 3 (32×32×64 → 64×64×3: 6-9 ms
   * against 10-14 ms).
   */
  fusedBelowChannels: 32,
  /** Keep rearranged filters while their source tensor lives (see cachedFilters). */
  reuseFilters: true,
};
