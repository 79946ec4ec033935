import type { InMemoryEventStore } from '#event-store';
import type { PublicKeyRecord } from '#protocol';
import { newWalletNonce } from '#wallet';
import { Audit } from '../../../auditor/src/core/audit.js';
import type { AuditReport } from '../../../auditor/src/core/report.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import type { Http } from './broker-harness.js';
import { buy, registerCustomer, type TestCustomer } from './scenario.js';

/** A customer with one client-side chain of 10 coins of 5 NZD (50 to refund: nothing spent). */
export async function customerWithChain(http: Http): Promise<{ customer: TestCustomer; chainId: string }> {
  const customer = await registerCustomer(http, 1_000);
  const answer = (
    await buy(http, customer, { coins: 10, coinValue: 5, walletNonce: newWalletNonce() })
  ).json<CoinsPurchasedAnswer>();
  return { customer, chainId: answer.chains[0]!.chainId };
}

/** The auditor's report of everything in `memory`, with the broker's published keys. */
export async function auditStore(http: Http, memory: InMemoryEventStore): Promise<AuditReport> {
  const { keys } = (await http('GET', '/keys')).json<{ keys: PublicKeyRecord[] }>();
  const auditor = new Audit({ brokerKeys: keys });
  await replayStore(memory, auditor, { pageSize: 100 });
  return auditor.finish();
}
