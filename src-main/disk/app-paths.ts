import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the app keeps what it writes: runs, caches, uploaded datasets and the demo set. */
export interface AppPaths {
  root: string;
  runs: string;
  cache: string;
  uploads: string;
  demo: string;
  /** Images and GIFs generated from the studio, one folder per run. */
  generated: string;
  /** GMM baseline fits, one folder per dataset and options (disk/baseline-folder.ts). */
  baselines: string;
  /** Experiments (issue 15): one folder per experiment with its experiment.json; its runs stay in `runs`. */
  experiments: string;
  /** Measured training speeds, for the estimates before Start (shared/estimate.ts): one JSON file. */
  speedCache: string;
}

/**
 * GAN_STUDIO_HOME overrides the location (tests, portable installs); Electron passes its userData
 * folder; elsewhere ~/.gan-studio.
 */
export function appPaths(root = process.env.GAN_STUDIO_HOME || join(homedir(), '.gan-studio')): AppPaths {
  return {
    root,
    runs: join(root, 'runs'),
    cache: join(root, 'cache'),
    uploads: join(root, 'uploads'),
    demo: join(root, 'demo'),
    generated: join(root, 'generated'),
    baselines: join(root, 'baselines'),
    experiments: join(root, 'experiments'),
    speedCache: join(root, 'speed-estimates.json'),
  };
}
