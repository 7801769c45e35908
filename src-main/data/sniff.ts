import sharp from 'sharp';

/** What the first bytes of a file say it is; the extension is never trusted. */
export type SniffResult =
  | { kind: 'image'; format: string }
  | { kind: 'unsupported'; format: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

/** Bytes of a file's head that sniffing needs. */
export const SNIFF_BYTES = 64;

const sharpReadsBmp = sharp.format.magick?.input.buffer === true;

function ascii(head: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...head.subarray(start, start + length));
}

function startsWith(head: Uint8Array, bytes: number[], offset = 0): boolean {
  return bytes.every((byte, i) => head[offset + i] === byte);
}

/** ISO-BMFF (AVIF/HEIC) files: 'ftyp' box with a major brand and compatible brands. */
function sniffIsoMedia(head: Uint8Array): SniffResult | null {
  if (ascii(head, 4, 4) !== 'ftyp') return null;
  const boxSize = (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
  const brands: string[] = [ascii(head, 8, 4)];
  for (let offset = 16; offset + 4 <= Math.min(boxSize, head.length); offset += 4) brands.push(ascii(head, offset, 4));
  if (brands.some((brand) => brand === 'avif' || brand === 'avis')) return { kind: 'image', format: 'AVIF' };
  if (brands.some((brand) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand))) {
    // sharp's prebuilt libvips has no HEVC decoder (patents), so iPhone HEIC photos cannot be read.
    return { kind: 'unsupported', format: 'HEIC' };
  }
  return null;
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte === 9 || byte === 10 || byte === 13 || byte >= 32) printable++;
  }
  return printable === head.length;
}

export function sniffImage(head: Uint8Array): SniffResult {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'JPEG' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'PNG' };
  const start6 = ascii(head, 0, 6);
  if (start6 === 'GIF87a' || start6 === 'GIF89a') return { kind: 'image', format: 'GIF' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { kind: 'image', format: 'WebP' };
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'image', format: 'TIFF' };
  }
  const isoMedia = sniffIsoMedia(head);
  if (isoMedia) return isoMedia;
  if (ascii(head, 0, 2) === 'BM') return sharpReadsBmp ? { kind: 'image', format: 'BMP' } : { kind: 'unsupported', format: 'BMP' };
  if (ascii(head, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'Photoshop PSD' };
  if (startsWith(head, [0xff, 0x0a]) || ascii(head, 4, 4) === 'JXL ') return { kind: 'unsupported', format: 'JPEG XL' };
  if (ascii(head, 4, 4) === 'jP  ' || startsWith(head, [0xff, 0x4f, 0xff, 0x51])) return { kind: 'unsupported', format: 'JPEG 2000' };
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return { kind: 'unsupported', format: 'ICO' };
  if (looksLikeText(head)) {
    return /<svg|<\?xml/i.test(ascii(head, 0, head.length)) ? { kind: 'unsupported', format: 'SVG' } : { kind: 'text' };
  }
  return { kind: 'unknown' };
}
