/**
 * Renders the app icon, build/icon.svg, to build/icon.png (1024 × 1024 RGBA), the one icon
 * electron-builder turns into each installer's format (the .ico for NSIS, the .icns for the dmg,
 * the PNG sizes for AppImage and deb). Run after changing the SVG, then commit both:
 *   node --import tsx scripts/make-icon.ts
 */
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src-main/disk/atomic-write';

/** The icon's side in pixels: macOS wants 1024 for Retina; electron-builder needs at least 512 (256 for Windows). */
export const ICON_SIZE = 1024;

const svg = fileURLToPath(new URL('../build/icon.svg', import.meta.url));
const png = fileURLToPath(new URL('../build/icon.png', import.meta.url));

// density 72 renders the SVG at its own 1024-pixel size; resize keeps the size if the SVG changes.
const data = await sharp(svg, { density: 72 }).resize(ICON_SIZE, ICON_SIZE).png({ compressionLevel: 9 }).toBuffer();
await writeFileAtomic(png, data);
process.stdout.write(`wrote ${png} (${ICON_SIZE} × ${ICON_SIZE}, ${data.length} bytes)\n`);
