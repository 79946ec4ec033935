import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import {
  type AppendOptions,
  DelegatingEventStore,
  type AppendResult,
  JetStreamEventStore,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#event-store';
import { SimulatedBank } from '../apps/broker/src/bank/simulated-bank.js';
import { benchStore, NATS_URL } from './bench-nats.js';
import { BuyCoinsHandler } from '../apps/broker/src/buy-coins/buy-coins.handler.js';
import type { BuyCoins } from '../apps/broker/src/buy-coins/buy-coins.command.js';
import { startBroker, type TestBroker, testBrokerConfig } from '../apps/broker/src/test/broker-harness.js';
import { openBankAccount } from '../apps/broker/src/test/scenario.js';
import type { BenchFigure } from './figures.js';
import type { ClientBatch, ClientRequest, ClientResponse } from './http-client.process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Operations timed per phase (each after an untimed warm-up of up to 40), as in k6's `issuance` bursts. */
const PURCHASES = envInt('BENCH_ISSUANCE_PURCHASES', 300);
const IN_FLIGHT = Math.max(1, envInt('BENCH_ISSUANCE_IN_FLIGHT', 8));
/** Payments on each bank account before the timed phases: a k6 VU's account ends a run with ~200. */
const HISTORY = envInt('BENCH_ISSUANCE_ACCOUNT_HISTORY', 100);
const COINS = envInt('BENCH_ISSUANCE_COINS', 100);
const WARMUP = Math.min(PURCHASES, 40);
const COIN_VALUE = 1;

/** utime + stime of a process in µs (all threads), from /proc; undefined when unreadable. */
function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** The local nats-server's pid (the one whose command line names the port of NATS_URL). */
function natsServerPid(): number | undefined {
  const port = new URL(NATS_URL).port || '4222';
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (!args[0]?.endsWith('nats-server')) continue;
        const at = args.findIndex((a) => a === '-p' || a === '--port');
        if (at < 0 || args[at + 1] === port) return Number(entry);
      } catch {
        // gone, or not ours to read
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

/** The store as the broker sees it, counting its reads and appends (each at least a round trip). */
class CountingStore extends DelegatingEventStore {
  reads = 0;
  appends = 0;

  override appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.appends++;
    return super.appendToStream(stream, events, options);
  }

  override readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads++;
    return super.readStream(stream, options);
  }
}

interface Phase {
  readonly perSecond: number;
  readonly cpuMicros: number;
  readonly natsMicros: number | undefined;
  readonly redisMicros: number;
  /** Event-store reads and appends per operation. */
  readonly reads: number;
  readonly appends: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Latencies (ms) of the operations a phase ran. */
type Run = () => Promise<number[]>;

/** Runs `run` and measures it: rate, CPU of this process, of nats-server and redis-server per operation. */
async function phase(
  redis: Redis,
  natsPid: number | undefined,
  store: CountingStore,
  run: Run,
): Promise<Phase> {
  const { reads, appends } = store;
  const natsBefore = processCpuMicros(natsPid);
  const redisBefore = await redisCpuMicros(redis);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const latencies = await run();
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const redisMicros = (await redisCpuMicros(redis)) - redisBefore;
  const natsAfter = processCpuMicros(natsPid);
  const count = latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(count - 1, Math.floor(q * count))] ?? 0;
  return {
    perSecond: (count / elapsed) * 1000,
    cpuMicros: (cpu.user + cpu.system) / count,
    natsMicros:
      natsBefore === undefined || natsAfter === undefined ? undefined : (natsAfter - natsBefore) / count,
    redisMicros: redisMicros / count,
    reads: (store.reads - reads) / count,
    appends: (store.appends - appends) / count,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

/** `count` operations in this process, `IN_FLIGHT` at a time (worker w runs ops w, w+IN_FLIGHT, …). */
function inProcess(count: number, op: (i: number, worker: number) => Promise<void>): Run {
  return async () => {
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, w) => {
        for (let i = w; i < count; i += IN_FLIGHT) {
          const t = performance.now();
          await op(i, w);
          latencies.push(performance.now() - t);
        }
      }),
    );
    return latencies;
  };
}

/** HTTP requests sent by the client process (not this one's CPU), `IN_FLIGHT` at a time. */
class HttpClient {
  private constructor(
    private readonly child: ChildProcess,
    private readonly baseUrl: string,
  ) {}

  static start(baseUrl: string): HttpClient {
    const script = new URL('./http-client.process.js', import.meta.url);
    return new HttpClient(
      fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      baseUrl,
    );
  }

  send(requests: readonly ClientRequest[]): Promise<ClientResponse[]> {
    const batch: ClientBatch = { baseUrl: this.baseUrl, inFlight: IN_FLIGHT, requests };
    return new Promise((resolve, reject) => {
      this.child.once('message', (m: { ok: boolean; responses?: ClientResponse[]; error?: string }) => {
        if (m.ok && m.responses) resolve(m.responses);
        else reject(new Error(`http client: ${m.error ?? 'no answer'}`));
      });
      this.child.send(batch);
    });
  }

  /** A phase of requests that must all answer `status`; their bodies go to `answers`. */
  run(requests: readonly ClientRequest[], status: number, answers: string[] = []): Run {
    return async () => {
      const responses = await this.send(requests);
      for (const r of responses) {
        if (r.status !== status) throw new Error(`${requests[0]?.path}: ${r.status} ${r.text}`);
        answers.push(r.text);
      }
      return responses.map((r) => r.ms);
    };
  }

  stop(): void {
    this.child.disconnect();
  }
}

const json = (headers: Record<string, string>, body: unknown): Pick<ClientRequest, 'headers' | 'body'> => ({
  headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
  body: JSON.stringify(body),
});

function figures(name: string, unit: string, what: string, run: Phase): BenchFigure[] {
  return [
    { name: `issuance.${name}`, value: run.perSecond, unit: `${unit}/s`, description: what },
    {
      name: `issuance.${name}-cpu`,
      value: run.cpuMicros,
      unit: `µs/${unit.replace(/s$/, '')}`,
      description: 'CPU of this process (the broker, not its HTTP client) per operation, user + system',
    },
    ...(run.natsMicros === undefined
      ? []
      : [
          {
            name: `issuance.${name}-nats-cpu`,
            value: run.natsMicros,
            unit: `µs/${unit.replace(/s$/, '')}`,
            description: 'CPU of nats-server per operation (/proc, whole server: other users show up too)',
          },
        ]),
    {
      name: `issuance.${name}-redis-cpu`,
      value: run.redisMicros,
      unit: `µs/${unit.replace(/s$/, '')}`,
      description: 'CPU of redis-server per operation (INFO cpu, whole server)',
    },
    {
      name: `issuance.${name}-store-calls`,
      value: run.reads + run.appends,
      unit: `calls/${unit.replace(/s$/, '')}`,
      description: `event-store calls per operation (${run.reads.toFixed(2)} reads, ${run.appends.toFixed(2)} appends; the wallet projection's feed not counted)`,
    },
    { name: `issuance.${name}-p50`, value: run.p50Ms, unit: 'ms' },
    { name: `issuance.${name}-p99`, value: run.p99Ms, unit: 'ms' },
  ];
}

/**
 * The broker's issuance in this process, on real JetStream (a stream of its own) and Redis (a
 * key prefix of its own): registrations and purchases over HTTP (the Nest app on a free port:
 * guard, validation, Idempotency-Key records, handler; the requests are sent by a child process,
 * so this process's CPU is the broker's alone), then the same purchases through the command
 * handler alone. 80 % client-side chains with a wallet nonce, 20 % server-side; one bank account
 * per worker, as one per k6 VU, each with a history of payments (BENCH_ISSUANCE_ACCOUNT_HISTORY).
 */
export default async function issuanceBenchmarks(): Promise<BenchFigure[]> {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const store = await JetStreamEventStore.connect(
    benchStore(`BENCH_ISSUANCE_${unique}`, `bench.issuance${unique}.events`),
  );
  const redisKeyPrefix = `bench:issuance:${unique}:`;
  const redis = new Redis(REDIS_URL);
  let broker: TestBroker | undefined;
  let client: HttpClient | undefined;
  try {
    const config = testBrokerConfig({
      NATS_URL,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      CHAIN_MAX_LENGTH: '10000',
    });
    const counting = new CountingStore(store);
    broker = await startBroker({ store: counting, config, idempotency: 'redis' });
    const natsPid = natsServerPid();
    client = HttpClient.start(await broker.app.getUrl());

    const accounts = Array.from({ length: IN_FLIGHT }, (_, w) => `bench_${unique}_${w}`);
    const mandates = await Promise.all(accounts.map((a) => openBankAccount(broker!.http, a, 1_000_000_000)));
    const bank = broker.app.get(SimulatedBank);
    await Promise.all(
      accounts.map(async (account) => {
        for (let i = 0; i < HISTORY; i++) {
          const paid = await bank.charge({
            account,
            amount: 1,
            currency: 'NZD',
            idempotencyKey: `history-${i}`,
            reference: `history-${i}`,
          });
          if (!paid.ok) throw new Error(`history charge declined: ${paid.reason}`);
        }
      }),
    );

    // Request i is sent by client worker i % IN_FLIGHT, with that worker's bank account.
    const registrations = (count: number): ClientRequest[] =>
      Array.from({ length: count }, (_, i) => ({
        method: 'POST',
        path: '/customers',
        ...json(
          {},
          {
            name: 'Bench Reader',
            bankAccount: accounts[i % IN_FLIGHT],
            bankMandate: mandates[i % IN_FLIGHT],
          },
        ),
      }));
    const purchaseBody = (i: number): Record<string, unknown> => {
      const wallet = i % 5 === 4 ? 'server' : 'client';
      return {
        coins: COINS,
        coinValue: COIN_VALUE,
        currency: 'NZD',
        wallet,
        ...(wallet === 'client' ? { walletNonce: randomBytes(32).toString('hex') } : {}),
      };
    };

    await phase(redis, natsPid, counting, client.run(registrations(WARMUP), 201));
    const registered: string[] = [];
    const registering = await phase(
      redis,
      natsPid,
      counting,
      client.run(registrations(PURCHASES), 201, registered),
    );
    const customers = registered.slice(0, IN_FLIGHT).map((text, w) => ({
      ...(JSON.parse(text) as { customerId: string; token: string }),
      bankAccount: accounts[w]!,
    }));
    const purchases = (count: number): ClientRequest[] =>
      Array.from({ length: count }, (_, i) => ({
        method: 'POST',
        path: '/purchases',
        ...json({ authorization: `Bearer ${customers[i % IN_FLIGHT]!.token}` }, purchaseBody(i)),
      }));
    await phase(redis, natsPid, counting, client.run(purchases(WARMUP), 201));
    const buying = await phase(redis, natsPid, counting, client.run(purchases(PURCHASES), 201));

    const handler = broker.app.get(BuyCoinsHandler);
    const handlerPurchase = async (i: number, w: number): Promise<void> => {
      const customer = customers[w]!;
      const body = purchaseBody(i) as Omit<BuyCoins, 'customerId' | 'bankAccount' | 'idempotencyKey'>;
      const answer = await handler.execute({
        ...body,
        customerId: customer.customerId,
        bankAccount: customer.bankAccount,
        idempotencyKey: randomUUID(),
      });
      if (answer.chains.length !== 1) throw new Error('purchase without its chain');
    };
    await phase(redis, natsPid, counting, inProcess(WARMUP, handlerPurchase));
    const direct = await phase(redis, natsPid, counting, inProcess(PURCHASES, handlerPurchase));

    // The floor of any request here: a GET that reads nothing.
    const floor = await phase(
      redis,
      natsPid,
      counting,
      client.run(
        Array.from({ length: PURCHASES }, () => ({
          method: 'GET',
          path: '/keys',
          headers: {},
        })),
        200,
      ),
    );

    const setting = `${IN_FLIGHT} in flight, ${IN_FLIGHT} bank accounts with ${HISTORY}+ payments each`;
    return [
      ...figures(
        'registrations',
        'registrations',
        `POST /customers over HTTP (the Nest app in this process, fetch from a child process), ${PURCHASES} of them, ${setting}`,
        registering,
      ),
      ...figures(
        'purchases',
        'purchases',
        `POST /purchases of ${COINS} coins over HTTP, ${PURCHASES} of them (80 % client-side, 20 % server-side), ${setting}`,
        buying,
      ),
      ...figures(
        'purchases-handler',
        'purchases',
        `the same purchases through BuyCoinsHandler.execute alone (no HTTP, guard, Idempotency-Key record)`,
        direct,
      ),
      ...figures('http-floor', 'requests', 'GET /keys over HTTP: what any request costs here', floor).slice(
        0,
        2,
      ),
    ];
  } finally {
    client?.stop();
    await broker?.close().catch(() => undefined);
    await store.deleteStreams().catch(() => undefined);
    await store.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisKeyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}
