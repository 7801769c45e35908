import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../shared/schema';
import { adaFromJson, type AdaState } from './ada';
import { createGan, modelVariables, type GanOptions, type GanState } from './gan';
import { ReplayBuffer } from './replay';

export interface CheckpointTensor {
  name: string;
  shape: number[];
  /** Offset and length in float32 elements within the binary part. */
  offset: number;
  length: number;
}

/** The format this version writes; it also reads version 1 (the same layout, without a checksum). */
export const CHECKPOINT_VERSION = 2;

export interface CheckpointJson {
  format: 'gan-studio-checkpoint';
  /** 1: no checksum; 2: `checksum` covers the float32 payload. */
  version: 1 | 2;
  /**
   * Version 2: `sha256:<hex>` of the payload bytes (the float32 part, as written). Set by the disk
   * layer when it writes the file (the engine has no hash function), checked when it reads it.
   */
  checksum?: string;
  step: number;
  dUpdates: number;
  gUpdates: number;
  rngState: number;
  optG: { step: number };
  optD: { step: number };
  replay: { capacity: number; seen: number; count: number; sampleShape: number[] } | null;
  /**
   * Adaptive augmentation's p and r_t accumulator (ada.ts). Absent in checkpoints written before it
   * existed: those resume with p = 0. (Spectral norm's power-iteration vectors are D weights, in `tensors`.)
   */
  ada?: AdaState;
  /**
   * What the weights were built for; restoring into another shape fails with a clear message.
   * `spectralNorm` is absent in checkpoints written before it existed (off).
   */
  model: { arch: string; size: number; width: number; latent: number; ema: boolean; spectralNorm?: boolean };
  tensors: CheckpointTensor[];
}

/** Everything a run needs to continue exactly: JSON metadata plus raw float32 values. */
export interface Checkpoint {
  json: CheckpointJson;
  binary: Float32Array;
}

/** Reads every tensor of the state; the copy is taken now, so training may continue at once. */
export async function serializeGan(state: GanState): Promise<Checkpoint> {
  const named: Array<[string, tf.Tensor]> = [];
  modelVariables(state.generator).forEach((v, i) => named.push([`G/${i}`, v]));
  modelVariables(state.discriminator).forEach((v, i) => named.push([`D/${i}`, v]));
  if (state.dAux) modelVariables(state.dAux.head).forEach((v, i) => named.push([`DAUX/${i}`, v]));
  if (state.ema) modelVariables(state.ema).forEach((v, i) => named.push([`EMA/${i}`, v]));
  for (const [key, opt] of [
    ['optG', state.optG],
    ['optD', state.optD],
  ] as const) {
    opt.m.forEach((v, i) => named.push([`${key}/m/${i}`, v]));
    opt.v.forEach((v, i) => named.push([`${key}/v/${i}`, v]));
  }
  const values = await Promise.all(named.map(([, t]) => t.data() as Promise<Float32Array>));
  const replayState = state.replay?.getState() ?? null;
  const total = values.reduce((n, v) => n + v.length, 0) + (replayState?.values.length ?? 0);
  const binary = new Float32Array(total);
  const tensors: CheckpointTensor[] = [];
  let offset = 0;
  named.forEach(([name, t], i) => {
    binary.set(values[i], offset);
    tensors.push({ name, shape: t.shape.slice(), offset, length: values[i].length });
    offset += values[i].length;
  });
  if (replayState) {
    binary.set(replayState.values, offset);
    tensors.push({ name: 'replay/values', shape: [replayState.values.length], offset, length: replayState.values.length });
  }
  const { config } = state;
  return {
    json: {
      format: 'gan-studio-checkpoint',
      version: CHECKPOINT_VERSION,
      step: state.step,
      dUpdates: state.dUpdates,
      gUpdates: state.gUpdates,
      rngState: state.rng.getState(),
      optG: { step: state.optG.step },
      optD: { step: state.optD.step },
      replay: replayState
        ? { capacity: replayState.capacity, seen: replayState.seen, count: replayState.count, sampleShape: replayState.sampleShape }
        : null,
      ada: { ...state.ada },
      model: { arch: config.arch, size: config.size, width: config.width, latent: config.latent, ema: state.ema !== null, spectralNorm: config.spectralNorm },
      tensors,
    },
    binary,
  };
}

function tensorIndex(checkpoint: Checkpoint): Map<string, CheckpointTensor> {
  return new Map(checkpoint.json.tensors.map((t) => [t.name, t]));
}

function read(checkpoint: Checkpoint, index: Map<string, CheckpointTensor>, name: string, shape: number[]): tf.Tensor {
  const entry = index.get(name);
  if (!entry) throw new Error(`checkpoint has no tensor ${name}`);
  if (entry.shape.join('x') !== shape.join('x')) {
    throw new Error(`checkpoint tensor ${name} has shape [${entry.shape}], the model needs [${shape}]`);
  }
  return tf.tensor(checkpoint.binary.subarray(entry.offset, entry.offset + entry.length), shape, 'float32');
}

/** Sets a model's weights from tensors named `${prefix}/${i}`. */
export function loadModelWeights(model: tf.LayersModel, checkpoint: Checkpoint, prefix: 'G' | 'D' | 'DAUX' | 'EMA'): void {
  const index = tensorIndex(checkpoint);
  modelVariables(model).forEach((v, i) => {
    const t = read(checkpoint, index, `${prefix}/${i}`, v.shape);
    v.assign(t);
    t.dispose();
  });
}

function checkCompatible(config: RunConfig, json: CheckpointJson): void {
  if (json.format !== 'gan-studio-checkpoint') throw new CheckpointFormatError('not a GAN Studio checkpoint');
  if (json.version !== 1 && json.version !== 2) throw new CheckpointFormatError(unsupportedVersion(json.version));
  const m = json.model;
  if (m.arch !== config.arch || m.size !== config.size || m.width !== config.width || m.latent !== config.latent) {
    throw new Error(
      `checkpoint was made for ${m.arch} ${m.size}px width ${m.width} latent ${m.latent}, ` +
        `the run config says ${config.arch} ${config.size}px width ${config.width} latent ${config.latent}`,
    );
  }
  const sn = (on: boolean | undefined) => (on ? 'on' : 'off');
  if ((m.spectralNorm ?? false) !== config.spectralNorm) {
    throw new Error(`checkpoint was made with spectral norm of D ${sn(m.spectralNorm)}, the run config says ${sn(config.spectralNorm)}`);
  }
}

/** A state that continues exactly where the checkpointed one stopped. */
export function restoreGan(config: RunConfig, checkpoint: Checkpoint, options: GanOptions = {}): GanState {
  checkCompatible(config, checkpoint.json);
  const state = createGan(config, options);
  try {
    const index = tensorIndex(checkpoint);
    const { json } = checkpoint;
    loadModelWeights(state.generator, checkpoint, 'G');
    loadModelWeights(state.discriminator, checkpoint, 'D');
    if (state.dAux) loadModelWeights(state.dAux.head, checkpoint, 'DAUX');
    if (state.ema) {
      // A run that switches EMA on at resume starts its average from the current generator.
      loadModelWeights(state.ema, checkpoint, json.model.ema ? 'EMA' : 'G');
    }
    for (const [key, opt, saved] of [
      ['optG', state.optG, json.optG],
      ['optD', state.optD, json.optD],
    ] as const) {
      const m = opt.m.map((v, i) => read(checkpoint, index, `${key}/m/${i}`, v.shape));
      const v = opt.v.map((x, i) => read(checkpoint, index, `${key}/v/${i}`, x.shape));
      opt.setState({ step: saved.step, m, v });
      tf.dispose([...m, ...v]);
    }
    if (state.replay && json.replay) {
      const entry = index.get('replay/values')!;
      state.replay = ReplayBuffer.fromState({
        ...json.replay,
        values: checkpoint.binary.slice(entry.offset, entry.offset + entry.length),
      });
    }
    state.ada = adaFromJson(json.ada);
    state.rng.setState(json.rngState);
    state.step = json.step;
    state.dUpdates = json.dUpdates;
    state.gUpdates = json.gUpdates;
    return state;
  } catch (error) {
    state.generator.dispose();
    state.discriminator.dispose();
    state.dAux?.dispose();
    state.ema?.dispose();
    state.optG.dispose();
    state.optD.dispose();
    throw error;
  }
}

const MAGIC = 'GANCKPT1';

/**
 * One self-describing file: magic, JSON length, JSON, padding to 4 bytes, float32 values
 * (little-endian). A single file written atomically can never pair metadata with the wrong weights.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(checkpoint.json));
  const headerLength = 8 + 4 + json.length;
  const padded = Math.ceil(headerLength / 4) * 4;
  const out = new Uint8Array(padded + checkpoint.binary.byteLength);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  const values = new Uint8Array(checkpoint.binary.buffer, checkpoint.binary.byteOffset, checkpoint.binary.byteLength);
  if (!littleEndian()) throw new Error('big-endian hosts are not supported');
  out.set(values, padded);
  return out;
}

/**
 * Why a checkpoint file cannot be used, without the file's name (the disk layer adds it).
 * `newer` marks a file of a later format version: it is refused, never replaced by an older one.
 */
export class CheckpointFormatError extends Error {
  constructor(
    message: string,
    readonly newer = false,
  ) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

function unsupportedVersion(version: unknown): string {
  return typeof version === 'number' && version > CHECKPOINT_VERSION
    ? `it was written by a newer GAN Studio (checkpoint format version ${version}; this one reads versions 1 and 2): update GAN Studio to use it`
    : `it claims checkpoint format version ${JSON.stringify(version)}, which no GAN Studio writes`;
}

function isTensorEntry(t: unknown): t is CheckpointTensor {
  const e = t as Partial<CheckpointTensor> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.name === 'string' && Array.isArray(e.shape) &&
    e.shape.every((d) => Number.isInteger(d) && d >= 0) && Number.isInteger(e.offset) && Number.isInteger(e.length) &&
    e.offset! >= 0 && e.length === e.shape.reduce((n, d) => n * d, 1)
  );
}

/**
 * Parses the file layout of encodeCheckpoint and checks its structure: magic, header JSON, format
 * version (1 or 2; a later one throws CheckpointFormatError with `newer`), tensor table, length.
 * Does not verify the checksum (the disk layer does: it owns the hash) nor the values.
 * Throws CheckpointFormatError with a one-line reason.
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointFormatError('not a GAN Studio checkpoint file');
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + jsonLength > bytes.length) throw new CheckpointFormatError('the file is truncated (its header is cut short)');
  let json: CheckpointJson;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as CheckpointJson;
  } catch {
    throw new CheckpointFormatError('its header is damaged (not valid JSON)');
  }
  if (typeof json !== 'object' || json === null || json.format !== 'gan-studio-checkpoint') {
    throw new CheckpointFormatError('not a GAN Studio checkpoint file (unknown header)');
  }
  if (json.version !== 1 && json.version !== 2) {
    throw new CheckpointFormatError(unsupportedVersion(json.version), typeof json.version === 'number' && json.version > CHECKPOINT_VERSION);
  }
  if (!Array.isArray(json.tensors) || !json.tensors.every(isTensorEntry) || !Number.isInteger(json.step) || json.step < 0) {
    throw new CheckpointFormatError('its header is damaged (bad step or tensor table)');
  }
  const padded = Math.ceil((12 + jsonLength) / 4) * 4;
  const rest = bytes.subarray(padded);
  if (rest.length % 4 !== 0) throw new CheckpointFormatError('the file is truncated');
  // Copy into a fresh, aligned buffer: a Node Buffer's byteOffset need not be a multiple of 4.
  const binary = new Float32Array(rest.length / 4);
  new Uint8Array(binary.buffer).set(rest);
  const needed = json.tensors.reduce((n, t) => Math.max(n, t.offset + t.length), 0);
  if (binary.length < needed) throw new CheckpointFormatError('the file is truncated');
  return { json, binary };
}

/** The bytes the version-2 checksum covers: the float32 payload as it lies in the file. */
export function payloadBytes(checkpoint: Checkpoint): Uint8Array {
  return new Uint8Array(checkpoint.binary.buffer, checkpoint.binary.byteOffset, checkpoint.binary.byteLength);
}

/**
 * Names of the tensors holding NaN or ±Infinity (weights, batch-norm statistics, optimiser
 * moments, replay images); empty when every value is finite. One pass over the payload on the CPU.
 */
export function nonFiniteTensors(checkpoint: Checkpoint): string[] {
  const { binary } = checkpoint;
  const bad: string[] = [];
  for (const t of checkpoint.json.tensors) {
    for (let i = t.offset, end = t.offset + t.length; i < end; i++) {
      // x - x is NaN exactly when x is NaN or ±Infinity.
      if (binary[i] - binary[i] !== 0) {
        bad.push(t.name);
        break;
      }
    }
  }
  return bad;
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}
