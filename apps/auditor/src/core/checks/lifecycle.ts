import type { ChainClosed, ChainReissued, ChainRevoked } from '#events';
import { RULES } from '../rules.js';
import { issuedChain, requireOpen, type CheckContext } from './context.js';
import { onPurchaseByCustomer } from './fraud.js';

export function onChainRevoked(ctx: CheckContext, data: ChainRevoked['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  ctx.figures.revocations += 1;
  if (requireOpen(ctx, chain, 'revocation')) chain.status = 'revoked';
  chain.note(ctx.at.position, ctx.at.revision, 'ChainRevoked', data.reason);
}

/** R1: a chain closes at its current index (never rolled back); a re-issue moves only the remainder. */
export function onChainClosed(ctx: CheckContext, data: ChainClosed['data']): void {
  const chain = issuedChain(ctx, data.chainId);
  if (chain === undefined) return;
  ctx.figures.closes += 1;
  if (chain.status === 'closed') {
    ctx.report.violation(RULES.CHAIN_NOT_OPEN, `chain ${chain.chainId} was already closed`, chain.chainId);
    return;
  }
  if (data.index !== chain.index) {
    ctx.report.violation(
      RULES.INDEX_MISMATCH,
      `chain ${chain.chainId} closed at index ${data.index}, its index is ${chain.index}`,
      chain.chainId,
    );
  }
  chain.status = 'closed';
  chain.closedAtIndex = chain.index;
  chain.closedAs = data.reason;
  if (data.reissuedAs !== undefined) linkReissue(ctx, chain.chainId, data.reissuedAs, undefined);
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'ChainClosed',
    `${data.reason} at index ${data.index}${data.reissuedAs ? `, re-issued as ${data.reissuedAs}` : ''}`,
  );
}

/** The broker's own record of a re-issue (customer stream): the chain stream never links the two. */
export function onChainReissued(ctx: CheckContext, data: ChainReissued['data']): void {
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  onPurchaseByCustomer(ctx, data.customerId, `re-issue of ${data.fromChainId}`);
  linkReissue(ctx, data.fromChainId, data.toChainId, data.coins);
}

/** R4: a chain's remainder is re-issued at most once (the amounts are compared at the end). */
function linkReissue(ctx: CheckContext, from: string, to: string, coins: number | undefined): void {
  const { ledger, report } = ctx;
  const earlier = ledger.successorOf.get(from);
  if (earlier !== undefined && earlier.chainId !== to) {
    report.violation(
      RULES.REISSUE_EXCEEDS_REMAINDER,
      `chain ${from} was already re-issued as ${earlier.chainId}; now again as ${to}`,
      from,
    );
    return;
  }
  ledger.reissueOf.set(to, from);
  ledger.successorOf.set(from, { chainId: to, coins: coins ?? earlier?.coins });
}
