import type { IgnoredChainEvent } from '#chain';
import type { ForgedChainEvent } from '#events';

/**
 * What the engine reports as it works, for metrics and logs. Every method is
 * optional; none may throw (they run on the spend path).
 */
export interface VendorObserver {
  /** A spend was recorded (`duplicate`: a retry answered again). */
  spent?(kind: 'client' | 'server', coins: number, duplicate: boolean): void;
  /** A spend was refused with this code. */
  refused?(code: string): void;
  /** This vendor handed a chain to another one. */
  handedOff?(chainId: string, toVendor: string): void;
  /** This vendor took a chain: by the holder's hand-off, or by claim when the holder was silent. */
  tookOver?(chainId: string, fromVendor: string, how: 'hand-off' | 'claim', reason?: string): void;
  /** A hand-off this vendor asked for ended (B's side: request, certificate check, append). */
  handOffTimed?(outcome: HandOffOutcome, seconds: number): void;
  /** A bus message from another party was refused or dropped (forged, stale, replayed, malformed). */
  messageRefused?(message: 'hand-off' | 'revocation', code: string): void;
  /** A broker-typed chain event without a valid broker signature was ignored (once per event). */
  forgedChainEvent?(forged: ForgedChainEvent): void;
  /** A vendor-typed chain event the fold did not believe (a spend that does not hash down; once per event). */
  ignoredChainEvent?(ignored: IgnoredChainEvent): void;
}

/** How a requested hand-off ended: A handed over, A was silent and B claimed, the stream named another holder, or refused. */
export type HandOffOutcome = 'handed-off' | 'claimed' | 'redirected' | 'refused';

/** The code of a refusal, for counting. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}
