/**
 * The maximum-likelihood baseline on images (issue 12, THEORY.md §1): a Gaussian mixture fitted by EM in a
 * PCA space of a dataset's images. The `gmm` command's flags (and the studio's baseline form) read their
 * labels, help, bounds and defaults from here; the engine (engine/baseline) takes the values.
 */
import { choice, defaultsOf, integer, type OptionValue } from './option';

export const COVARIANCE_CHOICES = {
  full: { label: 'Full', help: 'each Gaussian has its own full covariance, so it follows correlated directions (K·D(D+1)/2 numbers)' },
  diag: { label: 'Diagonal', help: 'each Gaussian varies independently along the PCA directions (K·D numbers): steadier when there are few images per component' },
} as const;

export const GMM_OPTIONS = {
  components: integer({ label: 'Components (K)', help: 'Gaussians in the mixture; at most the number of images', default: 10, min: 1, max: 1000, group: 'baseline' }),
  pca: integer({
    label: 'PCA dimensions (D)',
    help: 'principal directions of the images the mixture lives in (lowered to the number of images − 1 on smaller sets)',
    default: 64,
    min: 1,
    max: 256,
    group: 'baseline',
  }),
  // Diagonal by default: on the demo set at 32 px (K = 10, D = 64, 1,800 images fitted, 200 held out) full
  // covariances scored −105.7 nats per image on the training images but −120.4 held out, diagonal ones −119.1
  // and −117.8; diagonal EM is also about 4× faster per iteration, and never singular on small sets.
  covariance: choice(COVARIANCE_CHOICES, { label: 'Covariance', help: 'shape of each Gaussian: full or diagonal', default: 'diag', group: 'baseline' }),
  iterations: integer({ label: 'EM iterations', help: 'EM iterations at most; it stops sooner once the likelihood stops rising', default: 200, min: 1, max: 10_000, group: 'baseline' }),
  samples: integer({ label: 'Samples', help: 'images to draw from the fitted mixture', default: 64, min: 1, max: 100_000, group: 'baseline', flag: 'n' }),
  seed: integer({ label: 'Seed', help: 'seed of the fit (k-means++ starts, PCA) and of the samples', default: 0, min: 0, max: 2 ** 32 - 1, group: 'baseline' }),
} as const;

export type GmmConfig = ReturnType<typeof defaultsOf<typeof GMM_OPTIONS>>;
export type GmmCovariance = OptionValue<typeof GMM_OPTIONS.covariance>;

export const DEFAULT_GMM_CONFIG: GmmConfig = defaultsOf(GMM_OPTIONS);
