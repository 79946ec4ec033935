import { Inject, Injectable } from '@nestjs/common';
import { decideRevoke } from '#chain';
import type { EventStore } from '#event-store';
import type { RevocationReason } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { runChainCommand } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';

export interface ChainRevokedAnswer {
  readonly chainId: string;
  readonly status: 'revoked';
  readonly reason: string;
  /** Global position of the revocation (or undefined when it was revoked already). */
  readonly position?: string;
}

/**
 * Revokes a chain: `ChainRevoked` with the expected revision. Vendors learn it from the CRL
 * broadcast (published from a checkpointed subscription, not from here) and from touchstone
 * requests. Revoking a revoked chain again changes nothing.
 */
@Injectable()
export class RevokeChainHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ring: BrokerKeyRing,
  ) {}

  async execute(chainId: string, reason: RevocationReason): Promise<ChainRevokedAnswer> {
    const { result, position } = await runChainCommand(
      this.store,
      this.ring,
      chainId,
      (state) =>
        state.status === 'revoked'
          ? { ok: true, events: [] }
          : decideRevoke(state, { reason, at: this.clock.now().toISOString() }),
      (state, events) => events[0]?.data.reason ?? (state.status === 'revoked' ? state.reason : reason),
    );
    return {
      chainId,
      status: 'revoked',
      reason: result,
      ...(position === undefined ? {} : { position: position.toString() }),
    };
  }
}
