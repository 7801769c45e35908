import { expect, importShapes, shotBothThemes, test } from './studio';

const measured = /^≈ .+ · [\d.]+[kM]? images seen · [\d.]+ img\/s$/;

test('the estimate is shown before Start, on the form and on each preset, and beside the speed the run then measures', async ({ page, fresh: studio }) => {
  test.setTimeout(10 * 60_000);
  await page.goto(studio.url);
  await importShapes(page);

  await test.step('each preset and the form say what they will take on this machine', async () => {
    // The form opens on a preset, shown as selected, sized for the chosen folder.
    await expect(page.getByTestId('preset-balanced')).toHaveAttribute('aria-pressed', 'true');
    // The presets are measured one after another: the last one says so while it waits.
    await expect(page.getByTestId('preset-estimate-quality')).toContainText('measuring this machine’s speed');
    await expect(page.getByTestId('form-estimate')).toContainText(/measuring|≈/);
    for (const name of ['quick', 'balanced', 'quality']) {
      await expect(page.getByTestId(`preset-estimate-${name}`)).toHaveText(measured, { timeout: 5 * 60_000 });
    }
    await expect(page.getByTestId('form-estimate')).toContainText(/≈ .+ images seen · [\d.]+ img\/s/);
    // Balanced is sized from the measured speed to about an hour (the form's steps followed the
    // measurement), unless the machine is so slow that its minimum of 200 steps takes longer.
    const hour = /^≈ (5\d min|1 h|1 h 0\d min) · /;
    const balanced = (await page.getByTestId('preset-estimate-balanced').textContent()) ?? '';
    if (!hour.test(balanced)) await expect(page.getByTestId('field-steps')).toHaveValue('200');
    await expect(page.getByTestId('form-estimate')).toContainText(balanced);
    for (const name of ['quick', 'balanced', 'quality']) {
      console.log(`estimate ${name}: ${await page.getByTestId(`preset-estimate-${name}`).textContent()}`);
    }
    await shotBothThemes(page, 'new-run');
  });

  let estimate = '';
  await test.step('a short Quick preview run: the estimate follows the steps typed', async () => {
    await page.getByTestId('preset-quick').click();
    await expect(page.getByTestId('preset-quick')).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('field-steps').fill('60');
    await page.getByTestId('field-sampleEvery').fill('30');
    await page.getByTestId('field-checkpointEvery').fill('30');
    // Steps do not change the cost: the figure is the Quick preset's, for 60 steps.
    await expect(page.getByTestId('form-estimate')).toContainText(/≈ .+ · 960 images seen · [\d.]+ img\/s/);
    estimate = (await page.getByTestId('form-estimate').textContent()) ?? '';
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('view-training')).toBeVisible();
  });

  await test.step('Training shows the estimate beside the measured speed', async () => {
    await expect.poll(async () => Number((await page.getByTestId('progress-step').textContent())?.split(' / ')[0]), { timeout: 4 * 60_000 }).toBeGreaterThanOrEqual(40);
    await expect(page.getByTestId('progress-estimate')).toHaveText(/^[\d.]+ img\/s · ≈ /);
    const rate = await page.getByTestId('progress-rate').textContent();
    const before = await page.getByTestId('progress-estimate').textContent();
    console.log(`Quick preview, 60 steps: estimate before Start "${estimate.trim()}"; in Training: estimated ${before}, measured ${rate} img/s`);
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 4 * 60_000 });
    console.log(`finished: measured ${await page.getByTestId('progress-rate').textContent()} img/s over the run, estimated ${before}`);
    await shotBothThemes(page, 'training');
  });
});

test('Generate keeps its images, scores and walk, and New run its values, across views', async ({ page, fresh: studio }) => {
  test.setTimeout(8 * 60_000);
  await page.goto(studio.url);
  await importShapes(page);

  await test.step('a tiny NSGAN run to generate from', async () => {
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-batch').fill('8');
    await page.getByTestId('field-steps').fill('60');
    await page.getByTestId('field-sampleEvery').fill('30');
    await page.getByTestId('field-checkpointEvery').fill('30');
    await page.getByTestId('field-seed').fill('5');
    await expect(page.getByTestId('loss-ns')).toBeChecked();
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 4 * 60_000 });
  });

  await test.step('the New run form kept what was typed', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('nav-new-run').click();
    await expect(page.getByTestId('field-batch')).toHaveValue('8');
    await expect(page.getByTestId('field-steps')).toHaveValue('60');
    await expect(page.getByTestId('field-seed')).toHaveValue('5');
    // A changed batch is no preset any more.
    await expect(page.locator('[data-testid^="preset-"][aria-pressed="true"]')).toHaveCount(0);
  });

  let sources: string[] = [];
  let scores: string[] = [];
  await test.step('best by discriminator: D’s probability on each image, explained in one line', async () => {
    await page.getByTestId('nav-generate').click();
    await page.getByTestId('generate-n').fill('6');
    await page.getByTestId('generate-seed').fill('11');
    await page.getByTestId('rank-by-d').check();
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(6);
    await expect(page.getByTestId('score-explanation')).toContainText('probability σ(logit)');
    scores = await page.getByTestId('generated-score').allTextContents();
    expect(scores).toHaveLength(6);
    for (const score of scores) expect(score).toMatch(/^(0\.\d\d|<0\.01|>0\.99)$/);
    sources = await page.getByTestId('generated-image').evaluateAll((images) => images.map((img) => (img as HTMLImageElement).src));
    await page.getByTestId('interpolate-button').click();
    await expect(page.getByTestId('interpolation-gif')).toBeVisible();
    await shotBothThemes(page, 'generate');
  });

  await test.step('leaving Generate and coming back finds the same images, scores and walk', async () => {
    const gif = await page.getByTestId('interpolation-gif').getAttribute('src');
    await page.getByTestId('nav-datasets').click();
    await expect(page.getByTestId('view-generate')).toHaveCount(0);
    await page.getByTestId('nav-generate').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(6);
    expect(await page.getByTestId('generated-image').evaluateAll((images) => images.map((img) => (img as HTMLImageElement).src))).toEqual(sources);
    expect(await page.getByTestId('generated-score').allTextContents()).toEqual(scores);
    await expect(page.getByTestId('interpolation-gif')).toHaveAttribute('src', gif ?? '');
    await expect(page.getByTestId('generate-n')).toHaveValue('6');
    await expect(page.getByTestId('rank-by-d')).toBeChecked();
    // Until the user clears them.
    await page.getByTestId('generate-clear').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(0);
    await expect(page.getByTestId('interpolation-gif')).toHaveCount(0);
  });
});
