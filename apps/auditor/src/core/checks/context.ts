import type { Figures } from '../figures.js';
import type { Reporter } from '../findings.js';
import type { ChainRecord } from '../ledger/chain-record.js';
import type { Ledger } from '../ledger/ledger.js';
import { RULES } from '../rules.js';

/** The event being checked, where the log has it. */
export interface EventAt {
  readonly position: bigint;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly eventId: string;
  /** When the store recorded it (the server's clock, which no writer chooses). */
  readonly recordedAt: Date;
}

/** What every check gets: the rebuilt state, counters, and a reporter bound to the event. */
export interface CheckContext {
  readonly ledger: Ledger;
  readonly figures: Figures;
  readonly report: Reporter;
  readonly at: EventAt;
  /** Re-run every hash through the protocol library too. */
  readonly crossCheck: boolean;
  /** Keep a per-chain timeline (`--chain`). */
  readonly keepTimeline: boolean;
  /** The replay started after a position (`--from`): some history may be out of sight. */
  readonly partial: boolean;
}

/** The chain an event is about, or a violation when the log never issued it. */
export function issuedChain(ctx: CheckContext, chainId: string): ChainRecord | undefined {
  const chain = ctx.ledger.chains.get(chainId);
  if (chain === undefined) {
    ctx.report.violation(
      RULES.EVENT_BEFORE_ISSUE,
      `${ctx.at.type} for chain ${chainId}, which was never issued`,
      chainId,
    );
  }
  return chain;
}

/** Reports (and returns false) when a chain is revoked or closed. */
export function requireOpen(ctx: CheckContext, chain: ChainRecord, what: string): boolean {
  if (chain.status === 'open') return true;
  ctx.report.violation(
    RULES.CHAIN_NOT_OPEN,
    `${what} on chain ${chain.chainId}, which is ${chain.status}`,
    chain.chainId,
  );
  return false;
}
