import { Inject, Injectable } from '@nestjs/common';
import { CHAIN } from '#chain';
import type { TouchstoneReply } from '#contracts';
import type { EventStore } from '#event-store';
import { chainRefusal } from '../shared/broker-errors.js';
import { loadChain } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';

/**
 * A chain's broker-signed touchstone, for a vendor's first spend of it. Revoked and closed
 * chains are refused with their code, so a vendor never starts accepting them.
 */
@Injectable()
export class GetTouchstoneHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(chainId: string): Promise<TouchstoneReply> {
    const state = await loadChain(this.store, chainId);
    switch (state.status) {
      case 'absent':
        throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId}` });
      case 'revoked':
        throw chainRefusal({ code: CHAIN.REVOKED, message: `chain ${chainId} was revoked: ${state.reason}` });
      case 'closed':
        throw chainRefusal({ code: CHAIN.CLOSED, message: `chain ${chainId} is closed (${state.reason})` });
      case 'open':
        return { touchstone: state.touchstone };
    }
  }
}
