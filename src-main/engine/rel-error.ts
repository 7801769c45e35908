/**
 * Relative error in the max norm, max |actual − expected| ÷ max |expected|: robust to outputs that are near
 * zero in places. For the tests that hold a backend's or a kernel's results against a reference (the wasm
 * kernels against cpu, WebGPU against cpu). Throws when the lengths differ.
 */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`relError: ${actual.length} values against ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(scale, 1e-12);
}
