import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeBlock } from './layout';
import { wasmKernelTuning } from './tuning';

// Rearranged filters for Conv2DBackpropInput (see conv2d-backprop-input.ts), and the cache that
// keeps them between calls.

/** Filter of the fused strategy: [M_h, M_w, O, s_h·s_w·C], flipped sub-kernels, zeros where a phase has fewer taps. */
export function fusedFilter(backend: BackendWasm, filter: TensorInfo, sH: number, sW: number, mH: number, mW: number): TensorInfo {
  const [kH, kW, C, O] = filter.shape;
  const channels = sH * sW * C;
  const g = backend.makeOutput([mH, mW, O, channels], 'float32');
  // Views only after the allocation: growing the wasm heap detaches earlier ones.
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const gv = backend.typedArrayFromHeap(g) as Float32Array;
  gv.fill(0);
  for (let mh = 0; mh < mH; mh++) {
    for (let rh = 0; rh < sH; rh++) {
      const p = rh + sH * (mH - 1 - mh);
      if (p >= kH) continue;
      for (let mw = 0; mw < mW; mw++) {
        for (let rw = 0; rw < sW; rw++) {
          const q = rw + sW * (mW - 1 - mw);
          if (q >= kW) continue;
          const src = (p * kW + q) * C * O;
          const dst = (mh * mW + mw) * O * channels + (rh * sW + rw) * C;
          for (let c = 0; c < C; c++) {
            let d = dst + c;
            for (let o = 0, i = src + c * O; o < O; o++, d += channels) gv[d] = w[i++];
          }
        }
      }
    }
  }
  return g;
}

/** Filters of the per-phase strategy, one [M_rh, M_rw, O, C] flipped sub-kernel per phase (null: no taps). */
export function phaseFilters(backend: BackendWasm, filter: TensorInfo, sH: number, sW: number): (TensorInfo | null)[] {
  const [kH, kW, C, O] = filter.shape;
  const out: (TensorInfo | null)[] = [];
  for (let rh = 0; rh < sH; rh++) {
    for (let rw = 0; rw < sW; rw++) {
      const tH = Math.ceil((kH - rh) / sH);
      const tW = Math.ceil((kW - rw) / sW);
      if (tH <= 0 || tW <= 0) {
        out.push(null);
        continue;
      }
      const g = backend.makeOutput([tH, tW, O, C], 'float32');
      const w = backend.typedArrayFromHeap(filter) as Float32Array;
      const gv = backend.typedArrayFromHeap(g) as Float32Array;
      for (let mh = 0; mh < tH; mh++) {
        const p = rh + sH * (tH - 1 - mh);
        for (let mw = 0; mw < tW; mw++) {
          const q = rw + sW * (tW - 1 - mw);
          transposeBlock(w, (p * kW + q) * C * O, gv, (mh * tW + mw) * O * C, C, O);
        }
      }
      out.push(g);
    }
  }
  return out;
}

/*
 * Rearranged filters outlive one call: the generator's weights go through Conv2DBackpropInput
 * twice per iteration (D's update and G's, with G unchanged in between) and the discriminator's
 * three times (G's update, then the next iteration's real and fake passes). Reusing the same
 * rearranged filter tensor also lets the wasm Conv2D reuse its XNNPACK operator, whose weight
 * packing is a third of the call on the 4×4×512 layer. An entry lives while its source tensor
 * does: tfjs never writes into an existing tensor's buffer, so a live source means valid filters.
 */
interface FilterCacheEntry {
  source: TensorInfo['dataId'];
  key: string;
  filters: (TensorInfo | null)[];
}
const filterCaches = new Map<BackendWasm, FilterCacheEntry[]>();
/** Bounds memory when sources outlive their use (weights kept after training, say). */
const FILTER_CACHE_ENTRIES = 24;

function releaseEntry(backend: BackendWasm, entry: FilterCacheEntry): void {
  for (const f of entry.filters) if (f) backend.disposeData(f.dataId);
}

export function cachedFilters(
  backend: BackendWasm,
  filter: TensorInfo,
  key: string,
  build: () => (TensorInfo | null)[],
): (TensorInfo | null)[] {
  let cache = filterCaches.get(backend);
  if (!cache) filterCaches.set(backend, (cache = []));
  for (let i = cache.length - 1; i >= 0; i--) {
    if (!wasmKernelTuning.reuseFilters || !backend.dataIdMap.has(cache[i].source)) releaseEntry(backend, cache.splice(i, 1)[0]);
  }
  // Reshapes share their source's buffer, so the shape is part of the key.
  key = `${key} ${filter.shape.join('x')}`;
  const hit = cache.findIndex((e) => e.source === filter.dataId && e.key === key);
  if (hit >= 0) {
    const [entry] = cache.splice(hit, 1);
    cache.push(entry);
    return entry.filters;
  }
  const filters = build();
  cache.push({ source: filter.dataId, key, filters });
  while (cache.length > FILTER_CACHE_ENTRIES) releaseEntry(backend, cache.shift()!);
  return filters;
}

/** Frees the rearranged filters kept between calls (each is also freed once its source tensor is). */
export function clearWasmKernelCaches(): void {
  for (const [backend, entries] of filterCaches) {
    // A disposed backend took its heap, and these buffers, with it.
    if (backend.wasm) for (const entry of entries) releaseEntry(backend, entry);
  }
  filterCaches.clear();
}

