/**
 * The host-neutral globals the pure code (engine/, shared/) may use: present in Node, Electron's renderer
 * and browsers alike, declared here because tsconfig.engine.json loads neither Node's types nor the DOM's.
 * Add a global here only if every runtime has it; anything else belongs behind an injected interface.
 */

/** High-resolution clock (ms since an arbitrary origin): `performance.now()`. */
interface Performance {
  now(): number;
}
declare var performance: Performance;

/** UTF-8 encoder (WHATWG Encoding). */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

/** UTF-8 decoder (WHATWG Encoding). */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

/** Deep copy by the structured clone algorithm (Node ≥ 17, every browser): the run schema copies defaults with it. */
declare function structuredClone<T>(value: T): T;

/** Schedules a callback after at least `timeout` ms (every runtime has it): long pure computations pause with it. */
declare function setTimeout(handler: () => void, timeout?: number): unknown;

/** The part of the WHATWG AbortSignal the pure code reads: long computations stop when it has fired. */
interface AbortSignal {
  readonly aborted: boolean;
}
