/**
 * Where the time of a piece of engine work goes, kernel by kernel (tf.profile), with the
 * arithmetic rate of the matrix kernels: what `gan-studio bench --profile` and
 * bench/wasm-kernels-profile.ts print.
 */
import * as tf from '@tensorflow/tfjs';

/** One kernel's share of the profiled work, per iteration. */
export interface KernelRow {
  kernel: string;
  /** Kernel time per iteration, ms (as the backend times it: wall time around the kernel). */
  ms: number;
  calls: number;
  /** Share of all kernel time, 0–1. */
  share: number;
  /** Floating-point operations per iteration (multiply and add counted apart); null where not counted. */
  flops: number | null;
  /** flops ÷ time, in 1e9 per second; null where flops is. */
  gflops: number | null;
}

/** One shape of a counted (matrix) kernel: the same fields, for the calls with these input shapes. */
export interface KernelShapeRow extends KernelRow {
  /** "[16,64,64,3] [4,4,3,64] → [16,32,32,64]" */
  shapes: string;
}

export interface KernelProfile {
  iterations: number;
  /** All kernel time per iteration, ms. */
  kernelMs: number;
  kernelCalls: number;
  /** Heaviest first. */
  kernels: KernelRow[];
  /** The counted kernels by input shapes, heaviest first: which layer runs at which rate. */
  shapes: KernelShapeRow[];
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Floating-point operations of one kernel call from its input and output shapes, 2 per
 * multiply-add, for the convolution and matrix-product kernels; null for the others. Inputs are
 * in tfjs's order: Conv2D/FusedConv2D (x, filter, …), Conv2DBackpropInput (dy, filter),
 * Conv2DBackpropFilter (x, dy), BatchMatMul/_FusedMatMul (a, b, …).
 */
export function kernelFlops(kernel: string, inputShapes: Array<number[] | null>, outputShapes: Array<number[] | null>): number | null {
  const out = outputShapes[0];
  if (!out) return null;
  switch (kernel) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const filter = inputShapes[1];
      return filter && filter.length === 4 ? 2 * size(out) * filter[0] * filter[1] * filter[2] : null;
    }
    case 'Conv2DBackpropInput': {
      const [dy, filter] = inputShapes;
      return dy && filter && filter.length === 4 ? 2 * size(dy) * filter[0] * filter[1] * filter[2] : null;
    }
    case 'Conv2DBackpropFilter': {
      // out is the filter gradient [fh, fw, cin, cout]; dy has cout channels last.
      const dy = inputShapes[1];
      return dy && out.length === 4 ? (2 * size(dy) * size(out)) / out[3] : null;
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = inputShapes[0];
      if (!a || a.length < 2 || out.length < 2) return null;
      // a is [.., m, k] or, transposed, [.., k, m]; out is [.., m, n].
      const k = a[a.length - 2] === out[out.length - 2] ? a[a.length - 1] : a[a.length - 2];
      return 2 * size(out) * k;
    }
    default:
      return null;
  }
}

interface Tally {
  ms: number;
  calls: number;
  flops: number | null;
}

function rows<R>(tallies: Map<string, Tally>, iterations: number, total: number, make: (key: string, row: KernelRow) => R): R[] {
  return [...tallies.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([key, t]) =>
      make(key, {
        kernel: key,
        ms: t.ms / iterations,
        calls: t.calls / iterations,
        share: total > 0 ? t.ms / total : 0,
        flops: t.flops === null ? null : t.flops / iterations,
        gflops: t.flops === null || t.ms <= 0 ? null : t.flops / t.ms / 1e6,
      }),
    );
}

/**
 * Runs `iteration` `iterations` times under tf.profile (each awaited when it returns a promise, as
 * trainIteration does) and sums its kernels per iteration; profiling adds bookkeeping per kernel
 * call, so time whole iterations separately.
 */
export async function profileKernels(iteration: () => void | Promise<unknown>, iterations = 1): Promise<KernelProfile> {
  const info = await tf.profile(async () => {
    for (let i = 0; i < iterations; i++) await iteration();
  });
  const byKernel = new Map<string, Tally>();
  const byShape = new Map<string, Tally & { kernel: string; shapes: string }>();
  let total = 0;
  let calls = 0;
  for (const k of info.kernels) {
    // tf.profile also lists the ops that wrap a kernel (fusedConv2d__op): kernels only.
    if (k.name.endsWith('__op')) continue;
    const ms = Number(k.kernelTimeMs) || 0;
    const flops = kernelFlops(k.name, k.inputShapes, k.outputShapes);
    total += ms;
    calls++;
    const tally = byKernel.get(k.name) ?? { ms: 0, calls: 0, flops: flops === null ? null : 0 };
    tally.ms += ms;
    tally.calls++;
    if (tally.flops !== null && flops !== null) tally.flops += flops;
    byKernel.set(k.name, tally);
    if (flops !== null) {
      const shapes = `${k.inputShapes.map((s) => JSON.stringify(s)).join(' ')} → ${JSON.stringify(k.outputShapes[0])}`;
      const key = `${k.name} ${shapes}`;
      const s = byShape.get(key) ?? { kernel: k.name, shapes, ms: 0, calls: 0, flops: 0 };
      s.ms += ms;
      s.calls++;
      s.flops! += flops;
      byShape.set(key, s);
    }
  }
  return {
    iterations,
    kernelMs: total / iterations,
    kernelCalls: calls / iterations,
    kernels: rows(byKernel, iterations, total, (_, row) => row),
    shapes: rows(byShape, iterations, total, (key, row) => ({ ...row, kernel: byShape.get(key)!.kernel, shapes: byShape.get(key)!.shapes })),
  };
}

/** The profile as aligned text lines: the top kernels, then the top matrix-kernel shapes. */
export function formatKernelProfile(profile: KernelProfile, top = { kernels: 15, shapes: 12 }): string[] {
  const rate = (g: number | null) => (g === null ? '' : `${g.toFixed(1).padStart(7)} GFLOP/s`);
  const calls = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1)).padStart(6);
  const line = (r: KernelRow, name: string) =>
    `  ${name.padEnd(22)} ${r.ms.toFixed(2).padStart(9)} ms ${calls(r.calls)} calls ${(100 * r.share).toFixed(1).padStart(5)}% ${rate(r.gflops)}`;
  const lines = [
    `kernels per iteration (mean of ${profile.iterations}): ${profile.kernelMs.toFixed(1)} ms in ${Math.round(profile.kernelCalls)} calls`,
    ...profile.kernels.slice(0, top.kernels).map((r) => line(r, r.kernel)),
  ];
  if (profile.kernels.length > top.kernels) {
    const rest = profile.kernels.slice(top.kernels);
    const ms = rest.reduce((a, r) => a + r.ms, 0);
    lines.push(`  (${rest.length} more kernels: ${ms.toFixed(2)} ms, ${Math.round(rest.reduce((a, r) => a + r.calls, 0))} calls)`);
  }
  if (profile.shapes.length > 0) {
    lines.push('matrix kernels by shape (inputs → output):');
    for (const r of profile.shapes.slice(0, top.shapes)) lines.push(`${line(r, r.kernel)}  ${r.shapes}`);
  }
  return lines;
}
