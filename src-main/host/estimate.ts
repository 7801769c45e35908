import type { HostHandlers } from './dispatch';
import type { TrainerClient } from './trainer-client';

/**
 * Estimates before Start: the trainer measures (or finds in the cache) the speed of a run's settings; the
 * host hands it the cache file in the app's data folder (AppPaths.speedCache).
 */
export function estimateHandlers(trainer: TrainerClient, speedCache: string): Pick<HostHandlers, 'estimate.speed'> {
  return {
    'estimate.speed': ({ options, cachedOnly }) => trainer.request('estimate.speed', { options, cachedOnly, cacheFile: speedCache }),
  };
}
