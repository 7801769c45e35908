import type { GeneratedImage, GeneratorLossName, RankCheck } from '../../src-main/shared/contract';

/**
 * The Generate view's work, kept at module level so that leaving the view and coming back finds it as it
 * was: the inputs, the images (with their scores and selection), the latent-walk GIF and the last
 * messages. A new Generate or walk replaces its part; Clear empties the results.
 */
class GenerateState {
  count = $state('8');
  seed = $state('1');
  rankByD = $state(false);
  images = $state<GeneratedImage[]>([]);
  /** The run's loss when the images were ranked by D: it says how their scores read (lib/d-score.ts). */
  scoredWith = $state<GeneratorLossName | null>(null);
  selected = $state<Set<string>>(new Set());
  generating = $state(false);
  genError = $state<string | null>(null);
  /** D's ranking of these images measured (generate.rankCheck), while it runs, or why it could not be. */
  rankCheck = $state<RankCheck | null>(null);
  rankChecking = $state(false);
  rankCheckError = $state<string | null>(null);

  frames = $state('24');
  gifPath = $state<string | null>(null);
  gifBusy = $state(false);

  folder = $state('');
  saveResult = $state<string | null>(null);
  saveError = $state<string | null>(null);
  exportResult = $state<string | null>(null);
  /** The folder already holds an export: its files, waiting for the user to replace them or not. */
  exportConflict = $state<{ folder: string; existing: string[] } | null>(null);

  /** Forgets the results (images, walk, messages); the inputs stay as typed. */
  clear(): void {
    this.images = [];
    this.scoredWith = null;
    this.rankCheck = null;
    this.rankCheckError = null;
    this.selected = new Set();
    this.gifPath = null;
    this.genError = this.saveResult = this.saveError = this.exportResult = null;
    this.exportConflict = null;
  }
}

export const generateState = new GenerateState();
