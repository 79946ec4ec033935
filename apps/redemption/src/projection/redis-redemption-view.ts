import type { ChainableCommander, Redis } from 'ioredis';
import type { GlobalPosition } from '#event-store';
import { dayNumber } from '../domain/business-day.js';
import type { Segment } from '../domain/segments.js';
import {
  byDayThenVendor,
  bySealOrder,
  type BatchProgress,
  type ChainTerms,
  type Earnings,
  type RedemptionView,
  type PendingRead,
  type VendorDay,
  type ViewOp,
  type ViewReadResults,
  type ViewReads,
  type ViewAnchor,
} from './redemption-view.js';

/**
 * The read model in Redis under `<namespace>:` (plus the client's key prefix). A handled batch
 * of events is one pipelined read of everything it needs (`read`), then its changes and the
 * checkpoint in one MULTI/EXEC: both or neither. A new namespace is a new projection built from
 * zero, side by side with the old one.
 *
 * Keys: `gen` (generation marker, see `RedemptionView.generation`), `cp` (checkpoint), `anchor` (`<position> <event id>` of the last event folded), `terms` (chainId → terms), `pending:<day>:<vendor>` (chainId →
 * segments), `pending` (zset `<day>|<vendor>` by YYYYMMDD), `earned:<day>` (`<vendor>|<currency>`
 * → minor units), `batch` (batchId → progress), `open` (set of unsettled batch ids).
 */
export class RedisRedemptionView implements RedemptionView {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  private k(...parts: string[]): string {
    return [this.namespace, ...parts].join(':');
  }

  async commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void> {
    const tx = this.redis.multi();
    for (const op of ops) this.apply(tx, op);
    tx.set(this.k('cp'), position.toString());
    if (eventId !== undefined) tx.set(this.k('anchor'), `${position} ${eventId}`);
    const results = await tx.exec();
    if (results === null) throw new Error('redemption view: transaction discarded');
    const failed = results.find(([error]) => error !== null);
    if (failed) throw failed[0]!;
  }

  async read(reads: ViewReads): Promise<ViewReadResults> {
    const terms = [...reads.terms];
    const days = [...reads.pending];
    const batches = [...reads.batches];
    const pipeline = this.redis.pipeline();
    if (terms.length > 0) pipeline.hmget(this.k('terms'), ...terms);
    for (const [, day] of days) {
      const hash = this.k('pending', day.businessDay, day.vendorId);
      if (day.all) pipeline.hgetall(hash);
      else pipeline.exists(hash).hmget(hash, ...day.chains);
    }
    if (batches.length > 0) pipeline.hmget(this.k('batch'), ...batches);
    const results = pipeline.length === 0 ? [] : await pipeline.exec();
    if (results === null) throw new Error('redemption view: read pipeline discarded');
    let at = 0;
    const next = (): unknown => {
      const [error, value] = results[at++]!;
      if (error) throw error;
      return value;
    };

    const termsRead = new Map<string, ChainTerms>();
    if (terms.length > 0) {
      (next() as (string | null)[]).forEach((raw, i) => {
        if (raw !== null) termsRead.set(terms[i]!, JSON.parse(raw) as ChainTerms);
      });
    }
    const pending = new Map<string, PendingRead>();
    for (const [key, day] of days) {
      const chains = new Map<string, readonly Segment[]>();
      if (day.all) {
        for (const [chainId, json] of Object.entries(next() as Record<string, string>)) {
          chains.set(chainId, JSON.parse(json) as Segment[]);
        }
        pending.set(key, { any: chains.size > 0, chains });
      } else {
        const any = (next() as number) > 0;
        const asked = [...day.chains];
        (next() as (string | null)[]).forEach((raw, i) => {
          if (raw !== null) chains.set(asked[i]!, JSON.parse(raw) as Segment[]);
        });
        pending.set(key, { any, chains });
      }
    }
    const batchesRead = new Map<string, BatchProgress>();
    if (batches.length > 0) {
      (next() as (string | null)[]).forEach((raw, i) => {
        if (raw !== null) batchesRead.set(batches[i]!, JSON.parse(raw) as BatchProgress);
      });
    }
    return { terms: termsRead, pending, batches: batchesRead };
  }

  async generation(): Promise<string | undefined> {
    return (await this.redis.get(this.k('gen'))) ?? undefined;
  }

  async reset(id: string): Promise<void> {
    await this.drop();
    await this.redis.set(this.k('gen'), id);
  }

  async load(): Promise<GlobalPosition | undefined> {
    return this.position();
  }

  async store(_subscriptionId: string, position: GlobalPosition): Promise<void> {
    await this.redis.set(this.k('cp'), position.toString());
  }

  async position(): Promise<GlobalPosition | undefined> {
    const raw = await this.redis.get(this.k('cp'));
    return raw === null ? undefined : BigInt(raw);
  }

  async anchor(): Promise<ViewAnchor | undefined> {
    const raw = await this.redis.get(this.k('anchor'));
    const space = raw?.indexOf(' ') ?? -1;
    if (raw === null || raw === undefined || space <= 0) return undefined;
    const position = raw.slice(0, space);
    return /^\d+$/.test(position) ? { position: BigInt(position), eventId: raw.slice(space + 1) } : undefined;
  }

  async chainTerms(chainId: string): Promise<ChainTerms | undefined> {
    const raw = await this.redis.hget(this.k('terms'), chainId);
    return raw === null ? undefined : (JSON.parse(raw) as ChainTerms);
  }

  async pendingChains(vendorId: string, businessDay: string): Promise<Map<string, readonly Segment[]>> {
    const raw = await this.redis.hgetall(this.k('pending', businessDay, vendorId));
    return new Map(Object.entries(raw).map(([chainId, json]) => [chainId, JSON.parse(json) as Segment[]]));
  }

  async pendingVendorDays(upTo?: string): Promise<VendorDay[]> {
    const max = upTo === undefined ? '+inf' : String(dayNumber(upTo));
    const members = await this.redis.zrangebyscore(this.k('pending'), '-inf', max);
    return members
      .map((m) => {
        const [businessDay = '', vendorId = ''] = m.split('|');
        return { businessDay, vendorId };
      })
      .sort(byDayThenVendor);
  }

  async batch(batchId: string): Promise<BatchProgress | undefined> {
    const raw = await this.redis.hget(this.k('batch'), batchId);
    return raw === null ? undefined : (JSON.parse(raw) as BatchProgress);
  }

  async openBatches(): Promise<BatchProgress[]> {
    const ids = await this.redis.smembers(this.k('open'));
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.k('batch'), ...ids);
    return raws.flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as BatchProgress])).sort(bySealOrder);
  }

  async earnedOn(businessDay: string): Promise<Map<string, Earnings>> {
    const raw = await this.redis.hgetall(this.k('earned', businessDay));
    const byVendor = new Map<string, Record<string, number>>();
    for (const [field, amount] of Object.entries(raw)) {
      const [vendorId = '', currency = ''] = field.split('|');
      const e = byVendor.get(vendorId) ?? {};
      e[currency] = Number(amount);
      byVendor.set(vendorId, e);
    }
    return byVendor;
  }

  private apply(tx: ChainableCommander, op: ViewOp): void {
    switch (op.op) {
      case 'chain':
        tx.hset(this.k('terms'), op.chainId, JSON.stringify(op.terms));
        return;
      case 'pending': {
        const hash = this.k('pending', op.businessDay, op.vendorId);
        if (op.segments.length === 0) tx.hdel(hash, op.chainId);
        else tx.hset(hash, op.chainId, JSON.stringify(op.segments));
        return;
      }
      case 'mark-pending':
        tx.zadd(this.k('pending'), dayNumber(op.businessDay), `${op.businessDay}|${op.vendorId}`);
        return;
      case 'unmark-pending':
        tx.zrem(this.k('pending'), `${op.businessDay}|${op.vendorId}`);
        return;
      case 'earned':
        tx.hincrby(this.k('earned', op.businessDay), `${op.vendorId}|${op.currency}`, op.amount);
        return;
      case 'batch':
        tx.hset(this.k('batch'), op.progress.batchId, JSON.stringify(op.progress));
        return;
      case 'open':
        tx.sadd(this.k('open'), op.batchId);
        return;
      case 'settle':
        tx.srem(this.k('open'), op.batchId);
        return;
      default: {
        const unreachable: never = op;
        return unreachable;
      }
    }
  }

  /** Deletes every key of this namespace (tests; an abandoned projection). */
  async drop(): Promise<void> {
    const prefix = (this.redis.options.keyPrefix ?? '') + this.namespace + ':';
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      // SCAN answers full key names; commands add the client's prefix again, so strip it.
      const own = keys.map((key) => key.slice((this.redis.options.keyPrefix ?? '').length));
      if (own.length > 0) await this.redis.del(...own);
    } while (cursor !== '0');
  }
}
