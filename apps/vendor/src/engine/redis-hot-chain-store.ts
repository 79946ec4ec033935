import type { Redis } from 'ioredis';
import type { Touchstone } from '#protocol';
import type { ChainRecord } from './chain-record.js';
import type { HotChainStore, HotRead, PendingHandOff } from './hot-chain-store.js';

/**
 * Writes chain records, each only when it is newer than the one stored:
 * replicas update the same key after their appends, and a slow write must not
 * put an older revision back. KEYS are the chains, ARGV their (revision,
 * record JSON) pairs, then the TTL: the write-behind of every spend recorded
 * in one event-loop turn goes out as one call.
 */
const PUT_IF_NEWER = `
local ttl = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  local revision = ARGV[2 * i - 1]
  local r = redis.call('HGET', key, 'r')
  if not r or tonumber(r) < tonumber(revision) then
    redis.call('HSET', key, 'r', revision, 's', ARGV[2 * i])
    redis.call('PEXPIRE', key, ttl)
  end
end
return 0
`;

type WithPutIfNewer = Redis & {
  netpayPutChainsIfNewer(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number>;
};

/** Most records in one call (a bound on the script's run time, which blocks Redis). */
const MAX_BATCH = 256;

/**
 * How long a record waits for others before the write-behind goes out (ms). At moderate rates an
 * event-loop turn carries one or two spends, so a write per turn was a Redis call, a socket write
 * and a script run per spend: ~40 µs of the vendor's CPU per spend at 1,650 spends/s, and Redis's
 * CPU per spend 3.5× that at saturation. 5 ms still meant a timer and a reply to wake the vendor
 * for every one or two spends at moderate rates; 50 ms (perf-sweep --hot-path, A B × 3 at 1,800
 * spends/s, docs/performance.md "Session 13") gave p99 84/57/29 ms against 129/150/99, the vendor
 * 456/400/400 µs per spend against 433/444/439, Redis 11 µs against 17–22. The hot store is a
 * cache the stream corrects (a replica that reads an older record meets a conflict on append and
 * looks again; nothing waits for these writes), so its writes may lag.
 */
export const DEFAULT_WRITE_LINGER_MS = 50;

export interface RedisHotChainStoreOptions {
  /** How long an untouched chain stays in Redis (the stream has it anyway). */
  readonly ttlMs: number;
  /** How long queued records wait for more before one call writes them all (DEFAULT_WRITE_LINGER_MS). */
  readonly writeLingerMs?: number;
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
  /** Records waiting for this turn's write, newest per chain. */
  private readonly queued = new Map<string, ChainRecord>();

  constructor(
    redis: Redis,
    private readonly options: RedisHotChainStoreOptions,
  ) {
    if (!('netpayPutChainsIfNewer' in redis)) {
      // No fixed numberOfKeys: each call passes its key count first.
      redis.defineCommand('netpayPutChainsIfNewer', { lua: PUT_IF_NEWER });
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

  /**
   * Queues the record and writes every record queued within `writeLingerMs` (or in this
   * event-loop turn, once its continuations have run, when it is 0) in one call, at once when a
   * full batch is queued: one script call instead of one per spend saves Redis and this process
   * a command and a socket write each. Of two records of one chain in a batch, the newer is
   * kept. Resolves once the batch was written.
   */
  write(record: ChainRecord): Promise<void> {
    const queued = this.queued.get(record.chainId);
    if (queued === undefined || queued.revision < record.revision) this.queued.set(record.chainId, record);
    if (this.batch === undefined) {
      let written = (): void => undefined;
      const done = new Promise<void>((resolve) => (written = resolve));
      const linger = this.stopping ? 0 : (this.options.writeLingerMs ?? DEFAULT_WRITE_LINGER_MS);
      // Unref'd: a cache's write-behind does not keep a stopping process alive.
      const timer = linger > 0 ? setTimeout(() => this.flush(), linger).unref() : undefined;
      if (!timer) process.nextTick(() => this.flush());
      this.batch = { done, written, timer };
    }
    const { done } = this.batch;
    if (this.queued.size >= MAX_BATCH) this.flush();
    return done;
  }

  /**
   * Writes what is queued now, before the application closes its Redis connection: a stopping
   * process's batch would otherwise go with it (its timer is unref'd), and the next process would
   * find older records (and pay a conflict and a read of the stream for each).
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Spends still finishing while the application closes write at once from now on.
    this.stopping = true;
    const pending = this.batch?.done;
    this.flush();
    await pending;
  }

  private stopping = false;

  /** The batch being gathered: resolved once written; its timer, when it lingers. */
  private batch: { done: Promise<void>; written: () => void; timer?: NodeJS.Timeout } | undefined;

  private flush(): void {
    const batch = this.batch;
    if (batch === undefined) return; // written already (a full batch went out before its time)
    clearTimeout(batch.timer);
    this.batch = undefined;
    const records = [...this.queued.values()];
    this.queued.clear();
    void this.putAll(records).then(batch.written);
  }

  private async putAll(records: readonly ChainRecord[]): Promise<void> {
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < records.length; start += MAX_BATCH) {
      const part = records.slice(start, start + MAX_BATCH);
      const keys = part.map((r) => `chain:${r.chainId}`);
      const args = part.flatMap((r) => [r.revision, JSON.stringify(r)]);
      calls.push(
        this.redis
          .netpayPutChainsIfNewer(keys.length, ...keys, ...args, this.options.ttlMs)
          .catch((error: unknown) => this.options.onError?.(error)),
      );
    }
    await Promise.all(calls);
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
