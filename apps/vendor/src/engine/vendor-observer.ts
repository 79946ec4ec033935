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
  /** A bus message from another party was refused or dropped (forged, stale, replayed, malformed). */
  messageRefused?(message: 'hand-off' | 'revocation', code: string): void;
}

/** The code of a refusal, for counting. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}
