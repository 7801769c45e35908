import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { artifactDir, expect, test } from './studio';


test('images dropped on the window in browser mode are uploaded and imported', async ({ page, fresh: studio }) => {
  const files: Array<{ name: string; base64: string }> = [];
  for (let i = 0; i < 12; i++) {
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: i * 20, g: 120, b: 255 - i * 20 } } }).png().toBuffer();
    files.push({ name: `drop-${i}.png`, base64: png.toString('base64') });
  }
  files.push({ name: 'notes.txt', base64: Buffer.from('not an image').toString('base64') });
  await page.goto(studio.url);
  await expect(page.getByTestId('datasets-empty')).toBeVisible();

  // What a drag from the file manager hands the page: a DataTransfer holding File objects.
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: name.endsWith('.png') ? 'image/png' : 'text/plain' }));
    }
    return transfer;
  }, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });

  const report = page.getByTestId('dataset-report');
  await expect(report.getByTestId('count-used')).toHaveText('12');
  await expect(report.getByTestId('skipped-list')).toContainText('notes.txt');
  await page.screenshot({ path: join(artifactDir, 'studio-drop.png'), fullPage: true });
});
