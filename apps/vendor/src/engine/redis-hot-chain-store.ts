import type { Redis } from 'ioredis';
import type { Touchstone } from '#protocol';
import type { ChainRecord } from './chain-record.js';
import type { HotChainStore, HotRead, PendingHandOff } from './hot-chain-store.js';

/**
 * Writes a chain record only when it is newer than the one stored: replicas
 * update the same key after their appends, and a slow write must not put an
 * older revision back.
 */
const PUT_IF_NEWER = `
local r = redis.call('HGET', KEYS[1], 'r')
if r and tonumber(r) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

type WithPutIfNewer = Redis & {
  netpayPutChainIfNewer(key: string, revision: number, json: string, ttlMs: number): Promise<number>;
};

export interface RedisHotChainStoreOptions {
  /** How long an untouched chain stays in Redis (the stream has it anyway). */
  readonly ttlMs: number;
  /** Reports Redis failures (which only cost speed). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The hot store in Redis: `chain:<id>` a hash {r: revision, s: record JSON},
 * `touchstone:<id>` the signed touchstone JSON, `pending:<id>` a hand-off in
 * progress. The client's key prefix separates deployments and vendors.
 */
export class RedisHotChainStore implements HotChainStore {
  private readonly redis: WithPutIfNewer;

  constructor(
    redis: Redis,
    private readonly options: RedisHotChainStoreOptions,
  ) {
    if (!('netpayPutChainIfNewer' in redis)) {
      redis.defineCommand('netpayPutChainIfNewer', { numberOfKeys: 1, lua: PUT_IF_NEWER });
    }
    this.redis = redis as WithPutIfNewer;
  }

  async read(chainId: string): Promise<HotRead> {
    try {
      const results = await this.redis
        .pipeline()
        .hget(`chain:${chainId}`, 's')
        .get(`touchstone:${chainId}`)
        .exec();
      const record = parsed<ChainRecord>(results?.[0]);
      const touchstone = parsed<Touchstone>(results?.[1]);
      return { ...(record ? { record } : {}), ...(touchstone ? { touchstone } : {}) };
    } catch (error) {
      this.options.onError?.(error);
      return {};
    }
  }

  async write(record: ChainRecord): Promise<void> {
    await this.redis
      .netpayPutChainIfNewer(
        `chain:${record.chainId}`,
        record.revision,
        JSON.stringify(record),
        this.options.ttlMs,
      )
      .catch((error: unknown) => this.options.onError?.(error));
  }

  async writeTouchstone(touchstone: Touchstone): Promise<void> {
    await this.redis
      .set(`touchstone:${touchstone.chainId}`, JSON.stringify(touchstone), 'PX', this.options.ttlMs)
      .catch((error: unknown) => this.options.onError?.(error));
  }

  async markPending(pending: PendingHandOff, ttlMs: number): Promise<void> {
    await this.redis
      .set(`pending:${pending.chainId}`, JSON.stringify(pending), 'PX', ttlMs)
      .catch((error: unknown) => this.options.onError?.(error));
  }

  async clearPending(chainId: string): Promise<void> {
    await this.redis.del(`pending:${chainId}`).catch((error: unknown) => this.options.onError?.(error));
  }

  async readPending(chainId: string): Promise<PendingHandOff | undefined> {
    try {
      const json = await this.redis.get(`pending:${chainId}`);
      return json === null ? undefined : (JSON.parse(json) as PendingHandOff);
    } catch (error) {
      this.options.onError?.(error);
      return undefined;
    }
  }
}

/** A pipeline result [error, value] holding JSON, or undefined. */
function parsed<T>(result: [Error | null, unknown] | undefined): T | undefined {
  if (!result || result[0] !== null || typeof result[1] !== 'string') return undefined;
  try {
    return JSON.parse(result[1]) as T;
  } catch {
    return undefined;
  }
}
