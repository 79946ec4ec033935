import { readFile } from 'node:fs/promises';
import { parsePublicKeyRecord, ProtocolError, type PublicKeyRecord } from '#protocol';
import { UsageError } from './args.js';

/**
 * Broker public keys are trusted input: they come from the operator, never
 * from the log being audited (the broker does not record them as events).
 * Accepted forms: JSON — an array of records, one record, or `{ keys: [...] }`
 * as served by the broker's GET /keys and `netpay.broker.keys` — or text:
 * `keyId:publicKeyHex` entries separated by commas or new lines (the form of
 * the broker's BROKER_OLD_PUBLIC_KEYS).
 */
export function parseBrokerKeys(text: string, source: string): PublicKeyRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(
        `${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const list: unknown = Array.isArray(json) ? json : ((json as { keys?: unknown }).keys ?? json);
    return (Array.isArray(list) ? list : [list]).map((item, i) => record(item, `${source}[${i}]`));
  }
  return trimmed
    .split(/[\n,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'))
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      return record(
        { keyId: entry.slice(0, colon), publicKey: entry.slice(colon + 1) },
        `${source} "${entry}"`,
      );
    });
}

function record(value: unknown, where: string): PublicKeyRecord {
  try {
    return parsePublicKeyRecord(value);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new UsageError(`${where}: not a public key record (${error.message})`);
    throw error;
  }
}

/** The keys of the `--broker-keys` files and of BROKER_PUBLIC_KEYS (or its `_FILE`, read by `loadConfig`). */
export async function loadBrokerKeys(
  files: readonly string[],
  fromEnv: string | undefined,
): Promise<PublicKeyRecord[]> {
  const keys: PublicKeyRecord[] = [];
  for (const file of files) keys.push(...parseBrokerKeys(await read(file), file));
  if (fromEnv) keys.push(...parseBrokerKeys(fromEnv, 'BROKER_PUBLIC_KEYS'));
  const byId = new Map<string, PublicKeyRecord>();
  for (const key of keys) {
    const known = byId.get(key.keyId);
    if (known !== undefined && known.publicKey !== key.publicKey) {
      throw new UsageError(`broker key ${key.keyId} is given twice with different public keys`);
    }
    byId.set(key.keyId, key);
  }
  return [...byId.values()];
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read broker keys from ${file} (${reason})`);
  }
}
