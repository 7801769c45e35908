import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sniffImage } from './sniff';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? Array.from(part, (c) => c.charCodeAt(0)) : part)));

it('recognises image formats by their first bytes', () => {
  assert.deepEqual(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0])), { kind: 'image', format: 'JPEG' });
  assert.deepEqual(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])), { kind: 'image', format: 'PNG' });
  assert.deepEqual(sniffImage(bytes('GIF89a')), { kind: 'image', format: 'GIF' });
  assert.deepEqual(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')), { kind: 'image', format: 'WebP' });
  assert.deepEqual(sniffImage(bytes('II', [0x2a, 0])), { kind: 'image', format: 'TIFF' });
  assert.deepEqual(sniffImage(bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0], 'avifmif1miaf')), { kind: 'image', format: 'AVIF' });
});

it('names formats sharp cannot read, and tells text from other bytes', () => {
  assert.deepEqual(sniffImage(bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic')), { kind: 'unsupported', format: 'HEIC' });
  assert.deepEqual(sniffImage(bytes('8BPS')), { kind: 'unsupported', format: 'Photoshop PSD' });
  assert.deepEqual(sniffImage(bytes('<?xml version="1.0"?><svg')), { kind: 'unsupported', format: 'SVG' });
  assert.deepEqual(sniffImage(bytes('just some notes\n')), { kind: 'text' });
  assert.deepEqual(sniffImage(bytes([0, 1, 2, 3, 200])), { kind: 'unknown' });
  assert.deepEqual(sniffImage(new Uint8Array(0)), { kind: 'unknown' });
});
