import type { ChainStates } from '../engine/chain-states.js';
import type { PendingHandOffs } from '../engine/pending-hand-offs.js';
import type { RevocationList } from '../engine/revocation-list.js';
import { refusal } from '../engine/vendor-errors.js';

/** What a vendor knows of a chain; never the paywords, never who pays. */
export interface ChainView {
  readonly chainId: string;
  readonly status: 'open' | 'handoff-pending' | 'revoked' | 'closed';
  readonly holder: string | null;
  /** Whether this vendor holds it. */
  readonly heldHere: boolean;
  /** I: the next unspent position. */
  readonly index: number;
  readonly revision: number;
  readonly wallet: 'client' | 'server';
  readonly length: number;
  readonly coinValue: number;
  readonly currency: string;
  readonly expiresAt: string;
  /** While a hand-off to this vendor is under way: from whom, since when. */
  readonly handOff?: { readonly fromVendor: string; readonly since: string };
}

export class GetChainQuery {
  constructor(
    private readonly vendorId: string,
    private readonly states: ChainStates,
    private readonly pending: PendingHandOffs,
    private readonly revocations: RevocationList,
  ) {}

  /** Answers without waiting for the chain's lock: a hand-off in progress shows as pending. */
  async execute(chainId: string): Promise<ChainView> {
    const [state, pending] = await Promise.all([this.states.current(chainId), this.pending.get(chainId)]);
    if (state.status === 'absent')
      throw refusal('CHAIN.NOT_FOUND', `no chain ${chainId} was issued`, { chainId });
    const revoked = this.revocations.chain(chainId) !== undefined || state.status === 'revoked';
    const status = revoked
      ? 'revoked'
      : state.status === 'closed'
        ? 'closed'
        : pending
          ? 'handoff-pending'
          : 'open';
    const t = state.touchstone;
    return {
      chainId,
      status,
      holder: state.holder ?? null,
      heldHere: state.holder === this.vendorId,
      index: state.index,
      revision: state.revision,
      wallet: state.wallet,
      length: t.length,
      coinValue: t.coinValue,
      currency: t.currency,
      expiresAt: t.expiresAt,
      ...(pending ? { handOff: { fromVendor: pending.fromVendor, since: pending.since } } : {}),
    };
  }
}
