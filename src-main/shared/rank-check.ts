/**
 * The one-line report of D's ranking measured (contract RankCheck, trainer/generation.ts measureRanking):
 * what `generate --rank-by-d` prints and the Generate view shows. Pure: imported by the CLI and the renderer.
 */
import type { RankCheck, RankVerdict } from './contract';

/** How each verdict reads at the end of the line. */
export const VERDICT_TEXT: Record<RankVerdict, string> = {
  helps: "D's ranking helps here",
  'does-not-help': "D's ranking does not help here",
  mixed: "the two scores disagree: D's ranking neither clearly helps nor hurts here",
};

/** Below this many images per set the report says its scores are noisy. */
export const RANK_CHECK_FEW = 100;

/**
 * "D's top 100 of 400: SWD ×10³ 31.0 vs random 35.2, NDB/K 0.42 vs 0.50 (lower is better; against 120
 * held-out images at 32 px) — D's ranking helps here", with a note when the sets are small.
 */
export function describeRankCheck(check: RankCheck): string {
  const { ranked, random } = check;
  const real = `${check.real.toLocaleString('en-US')} ${check.against === 'held-out' ? 'held-out' : 'training'} image${check.real === 1 ? '' : 's'}`;
  const verdict = VERDICT_TEXT[check.verdict];
  const few = check.n < RANK_CHECK_FEW ? ` (only ${check.n} image${check.n === 1 ? '' : 's'} each: noisy)` : '';
  return (
    `D's top ${check.n.toLocaleString('en-US')} of ${check.drawn.toLocaleString('en-US')}: SWD ×10³ ${ranked.swd.toFixed(1)} vs random ${random.swd.toFixed(1)}, ` +
    `NDB/K ${ranked.ndbK.toFixed(2)} vs ${random.ndbK.toFixed(2)} (lower is better; against ${real} at ${ranked.size} px) — ${verdict}${few}`
  );
}
