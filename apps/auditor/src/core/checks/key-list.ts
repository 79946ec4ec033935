import type { RecordedEvent } from '#event-store';
import {
  brokerKeyRecords,
  parseSignedBrokerKeyList,
  ProtocolError,
  verifyBrokerKeyList,
  type PublicKeyRecord,
} from '#protocol';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/** The stream category of the broker's key lists (`streams.brokerKeys()`). */
export const KEY_LIST_CATEGORY = 'brokerkeys';

/**
 * R1: a broker key list (`BrokerKeyListPublished`) is written by the broker and signed by a root
 * key the auditor was given (BROKER_ROOT_PUBLIC_KEYS / --broker-root-keys); its keys then verify
 * the touchstones that follow, as they do for the vendors and the redemption worker. A list no
 * given root signed adds no key; without root keys the lists are only read, never believed.
 */
export function onKeyList(
  ctx: CheckContext,
  recorded: RecordedEvent,
  rootKeys: readonly PublicKeyRecord[],
): void {
  const actor = (recorded.metadata as { actor?: unknown } | undefined)?.actor;
  if (recorded.type !== 'BrokerKeyListPublished') {
    ctx.report.violation(
      RULES.EVENT_IN_WRONG_STREAM,
      `${recorded.type} does not belong in ${recorded.streamName}`,
    );
    return;
  }
  if (actor !== 'broker' && actor !== 'operator') {
    ctx.report.violation(
      RULES.WRITER_NOT_ALLOWED,
      `BrokerKeyListPublished written by ${typeof actor === 'string' ? actor : 'no actor'}; only broker or operator may write it`,
    );
  }
  let list;
  try {
    list = parseSignedBrokerKeyList(recorded.data);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    ctx.report.violation(RULES.MALFORMED_EVENT, `BrokerKeyListPublished: ${error.message}`);
    return;
  }
  if (rootKeys.length === 0) return;
  const check = verifyBrokerKeyList(list, rootKeys);
  if (!check.ok) {
    ctx.report.violation(
      RULES.BAD_KEY_LIST,
      `broker key list v${list.version}: ${check.message}; its keys are not trusted`,
    );
    return;
  }
  for (const key of brokerKeyRecords(list)) {
    const known = ctx.ledger.brokerKeys.get(key.keyId);
    if (known !== undefined && known.publicKey !== key.publicKey) {
      ctx.report.violation(
        RULES.BAD_KEY_LIST,
        `broker key list v${list.version} gives key ${key.keyId} another public key than before; the first is kept`,
      );
      continue;
    }
    ctx.ledger.brokerKeys.set(key.keyId, key);
  }
}
