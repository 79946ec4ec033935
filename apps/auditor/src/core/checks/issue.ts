import type { ChainIssued } from '#events';
import { verifyTouchstone } from '#protocol';
import { ChainRecord } from '../ledger/chain-record.js';
import { RULES, WARNINGS } from '../rules.js';
import type { CheckContext } from './context.js';

/**
 * R1: the touchstone carries a valid broker signature (a key the auditor does
 * not know is a violation, not a pass) and commits to this very chain.
 */
export function onChainIssued(ctx: CheckContext, data: ChainIssued['data']): void {
  const { chainId, touchstone, wallet } = data;
  const { ledger, report, figures } = ctx;
  if (ledger.chains.has(chainId)) {
    report.violation(
      RULES.CHAIN_ISSUED_TWICE,
      `chain ${chainId} was already issued; this issue is ignored`,
      chainId,
    );
    return;
  }
  if (touchstone.chainId !== chainId) {
    report.violation(
      RULES.TOUCHSTONE_FOR_OTHER_CHAIN,
      `the touchstone of chain ${chainId} commits to chain ${touchstone.chainId}`,
      chainId,
    );
  }
  const check = verifyTouchstone(touchstone, (keyId) => ledger.brokerKeys.get(keyId));
  if (!check.ok) {
    const rule =
      check.code === 'SIGNATURE.UNKNOWN_KEY' ? RULES.UNKNOWN_BROKER_KEY : RULES.BAD_TOUCHSTONE_SIGNATURE;
    report.violation(rule, `chain ${chainId}: ${check.message}`, chainId);
  }
  if (touchstone.alg === 'md5') {
    report.warning(WARNINGS.WEAK_ALGORITHM, `chain ${chainId} uses md5 (interop demos only)`, chainId);
  }
  const chain = new ChainRecord(
    chainId,
    touchstone,
    wallet,
    ctx.at.position,
    check.ok && touchstone.chainId === chainId,
    ledger.hashers.get(touchstone.alg, chainId),
    ctx.crossCheck,
    ctx.keepTimeline,
  );
  ledger.chains.set(chainId, chain);
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'ChainIssued',
    `${wallet}-side wallet, ${touchstone.length} coins × ${touchstone.coinValue} ${touchstone.currency}, ` +
      `key ${touchstone.brokerKeyId}, signature ${check.ok ? 'valid' : 'INVALID'}`,
  );

  figures.chainsIssued += 1;
  figures.coinsIssued += touchstone.length;
  if (wallet === 'client') figures.clientWallets += 1;
  else figures.serverWallets += 1;
  if (touchstone.alg === 'md5') figures.weakChains += 1;
  // Whether it re-issues a closed chain (not paid again) is known only at the end: see conservation.
  figures.moneyIn(touchstone.currency).valueIssued += chain.value;
}
