import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { SEEDS_RECOVERY, SEEDS_WITHHELD } from '../buy-coins/buy-coins.handler.js';

/** What a replay of `first` answers: a client-side purchase's chains without their seeds. */
export function replayOf(first: CoinsPurchasedAnswer): CoinsPurchasedAnswer {
  if (first.wallet !== 'client') return first;
  return {
    ...first,
    chains: first.chains.map(({ seed: _seed, ...chain }) => chain),
    withheld: [SEEDS_WITHHELD],
    recovery: SEEDS_RECOVERY,
  };
}
