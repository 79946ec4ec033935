// `npm run demo -- --network p2p`: a P2P-NetPay day (seed 000 §4). The CIS and six peers run as
// separate processes on local NATS/JetStream and Redis; peers share files and buy from each other
// with e-coins, one free-rider is capped by the contribution policy, one R-peer shows one index to
// two S-peers and is caught and revoked, one S-peer sells without the event store (its journal is
// uploaded at redemption), the night redeems, and the auditor replays the log.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JetStreamEventStore } from '#event-store';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  type P2PPayment,
  signIndexStatement,
  type SigningKey,
} from '#protocol';
import { Audit } from '../../auditor/src/core/index.js';
import { Random } from './random.js';
import { stackConfig } from './stack.config.js';
import { localNatsUrl, natsRoleEnv, natsRoleIdentity, repoRoot, stackDir } from './stack-env.js';
import { Supervisor } from './supervisor.js';

const CONTROL = randomBytes(16).toString('hex');
/** Generous: seven Node processes start on a shared, busy machine. */
const READY_MS = 180_000;

interface DemoPeer {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly key: SigningKey;
  readonly files: readonly string[];
  /** p5 sells without the event store: journal only, uploaded at redemption. */
  readonly storeless: boolean;
  pseudonym?: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(url: string, method: 'GET' | 'POST', body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** The stable code of a refusal, else the HTTP status. */
function codeOf(a: Answer): string {
  return typeof a.body.code === 'string' ? a.body.code : String(a.status);
}

async function control(p: DemoPeer, path: string, body?: unknown): Promise<Answer> {
  return call(`${p.url}/control/${path}`, body === undefined ? 'GET' : 'POST', body, CONTROL);
}

async function must(p: DemoPeer, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const a = await control(p, path, body);
  if (a.status >= 300) throw new Error(`${p.id} ${path}: ${a.status} ${JSON.stringify(a.body)}`);
  return a.body;
}

export async function runP2PDemo(options: {
  seed: number;
  downloads: number;
  keep: boolean;
}): Promise<number> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  const started = Date.now();
  const progress = (line: string): void =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  const natsUrl = localNatsUrl();
  const streamName = `NETPAY_P2P_${runId}`;
  const subjectPrefix = `netpay.p2p.${runId.toLowerCase()}`;
  const storeEnv = {
    EVENT_STORE: 'jetstream',
    NATS_URL: natsUrl,
    EVENT_STORE_STREAM: streamName,
    EVENT_STORE_SUBJECT_PREFIX: subjectPrefix,
  };
  const setup = await JetStreamEventStore.connect({
    servers: [natsUrl],
    streamName,
    subjectPrefix,
    ...natsRoleIdentity('setup'),
    provision: true,
  });
  const runDir = join(stackDir, 'p2p', runId);
  const supervisor = new Supervisor(repoRoot, join(stackDir, 'logs', `p2p-${runId}`));
  process.on('SIGINT', () => void supervisor.stopAll().then(() => process.exit(130)));
  const cisKey = generateSigningKey('cis-demo-1');
  const cisPort = stackConfig().cisPort;
  const cisUrl = `http://127.0.0.1:${cisPort}`;
  const rng = new Random(options.seed);
  const basePort = stackConfig().peerBasePort;
  const peers: DemoPeer[] = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id, i) => ({
    id,
    port: basePort + 1 + i,
    url: `http://127.0.0.1:${basePort + 1 + i}`,
    key: generateSigningKey(`key-${id}`),
    files: id === 'p6' ? [] : [`${id}-song.mp3`, `${id}-photo.jpg`, `${id}-notes.txt`],
    storeless: id === 'p5',
  }));
  const freeRider = peers[5]!;
  const cheater = peers[3]!;
  const tally = { downloads: 0, coins: 0, recorded: 0, journalled: 0, failures: 0 };
  try {
    progress(`P2P demo ${runId}: CIS and ${peers.length} peers, seed ${options.seed}`);
    await supervisor.start(
      {
        name: 'cis',
        entry: 'dist/apps/cis/src/main.js',
        readyUrl: `${cisUrl}/health/ready`,
        env: {
          ...storeEnv,
          ...natsRoleEnv('cis'),
          NATS_URL: natsUrl,
          PORT: String(cisPort),
          HOST: '127.0.0.1',
          CIS_KEY_ID: cisKey.keyId,
          CIS_SIGNING_KEY: cisKey.privateKey,
          CIS_SECRET: randomBytes(32).toString('hex'),
          CIS_POLICY_BASE_COINS: '40',
          CIS_POLICY_SUPPLY_MULTIPLE: '2',
          REDIS_URL: stackConfig().redisUrl,
          REDIS_KEY_PREFIX: `netpay:p2p:${runId.toLowerCase()}:`,
          LOG_LEVEL: 'warn',
        },
      },
      READY_MS,
    );
    for (const p of peers) {
      const dir = join(runDir, p.id, 'content');
      mkdirSync(dir, { recursive: true });
      for (const f of p.files) writeFileSync(join(dir, f), `${f} shared by ${p.id}\n`.repeat(200));
      await supervisor.start(
        {
          name: `peer-${p.id}`,
          entry: 'dist/apps/peer/src/main.js',
          readyUrl: `${p.url}/health/ready`,
          env: {
            ...storeEnv,
            ...natsRoleEnv(`peer-${p.id}`),
            NATS_URL: natsUrl,
            PORT: String(p.port),
            HOST: '127.0.0.1',
            PEER_IDENTITY: `${p.id}@community.example`,
            PEER_KEY: p.key.privateKey,
            PEER_KEY_ID: p.key.keyId,
            CIS_URL: cisUrl,
            CIS_PUBLIC_KEYS: `${cisKey.keyId}:${cisKey.publicKey}`,
            PEER_CONTENT_DIR: dir,
            PEER_JOURNAL_DIR: join(runDir, p.id, 'journal'),
            PEER_CONTROL_TOKEN: CONTROL,
            PEER_HEARTBEAT: '5s',
            PEER_EVENT_STORE: p.storeless ? 'none' : 'jetstream',
            LOG_LEVEL: 'warn',
          },
        },
        READY_MS,
      );
    }
    for (const p of peers) {
      for (let i = 0; i < 100 && !p.pseudonym; i++) {
        const s = await must(p, 'status');
        if (typeof s.pseudonym === 'string') p.pseudonym = s.pseudonym;
        else await new Promise((r) => setTimeout(r, 200));
      }
      if (!p.pseudonym) throw new Error(`${p.id} did not register at the CIS`);
    }
    const index = (await call(`${cisUrl}/content?q=`, 'GET')).body as unknown as {
      pseudonym: string;
      contentId: string;
      endpoint: string;
      price: number;
    }[];
    progress(`${peers.length} peers registered under pseudonyms; the index lists ${index.length} files`);

    // Morning: everyone buys coins (the free-rider too), then downloads from the others.
    for (const p of peers) await must(p, 'buy', { coins: 40 });
    const refusal = await control(freeRider, 'buy', { coins: 20 });
    const capped = {
      code: codeOf(refusal),
      detail: typeof refusal.body.detail === 'string' ? refusal.body.detail : '',
    };
    progress(`free-rider ${freeRider.id}: a second purchase refused: ${capped.code}`);
    const buyers = peers.filter((p) => p !== cheater);
    for (let i = 0; i < options.downloads; i++) {
      const buyer = rng.pick(buyers);
      const offers = index.filter((e) => e.pseudonym !== buyer.pseudonym);
      const offer = rng.pick(offers);
      const got = await control(buyer, 'fetch', { endpoint: offer.endpoint, contentId: offer.contentId });
      if (got.status !== 200) {
        if (got.body.code === 'WALLET.INSUFFICIENT_COINS') continue;
        tally.failures += 1;
        progress(`${buyer.id} could not fetch ${offer.contentId}: ${JSON.stringify(got.body)}`);
        continue;
      }
      const receipt = got.body.receipt as { recorded: string; fromIndex: number; toIndex: number };
      tally.downloads += 1;
      tally.coins += receipt.toIndex - receipt.fromIndex + 1;
      if (receipt.recorded === 'store') tally.recorded += 1;
      else tally.journalled += 1;
    }
    progress(
      `day: ${tally.downloads} paid downloads, ${tally.coins} coins (${tally.recorded} recorded at once, ${tally.journalled} journalled by ${peers[4]!.id})`,
    );

    // The cheat: the R-peer pays p1, then shows the same index to p2 in a new statement it signs.
    const [s1, s2] = [peers[0]!, peers[1]!];
    const paid = await must(cheater, 'fetch', { endpoint: s1.url, contentId: `${s1.id}-song.mp3` });
    const payment = paid.payment as P2PPayment;
    const replayed = signIndexStatement(
      { ...payment.statement, payee: s2.pseudonym!, contentId: `${s2.id}-song.mp3`, nonce: newNonce() },
      createSigner(cheater.key),
    );
    const shown = await call(`${s2.url}/content/${s2.id}-song.mp3/purchase`, 'POST', {
      payment: { ...payment, statement: replayed },
    });
    const revokedBuy = await control(cheater, 'buy', { coins: 1 });
    const doubleSpend = {
      code: codeOf(shown),
      positions: `${payment.statement.fromIndex}..${payment.statement.fromIndex + payment.statement.count - 1}`,
      afterwards: codeOf(revokedBuy),
    };
    progress(
      `double spend by ${cheater.id} at ${s2.id}: ${doubleSpend.code}; its next purchase: ${doubleSpend.afterwards}`,
    );

    // Night: every S-peer redeems (p5 uploads what it journalled).
    progress('night: S-peers redeem at the CIS');
    const night: { id: string; coins: number; amount: number; refused: number }[] = [];
    for (const p of peers) {
      const a = await control(p, 'redeem', {});
      if (a.status === 403 && p === cheater) {
        // A revoked pseudonym redeems nothing: what it earned is held by the CIS, which knows who it is.
        night.push({ id: p.id, coins: 0, amount: 0, refused: -1 });
        continue;
      }
      if (a.status >= 300) throw new Error(`${p.id} redeem: ${a.status} ${JSON.stringify(a.body)}`);
      const r = a.body;
      night.push({
        id: p.id,
        coins: Number(r.coins),
        amount: Number(r.amount),
        refused: (r.refused as unknown[]).length,
      });
    }
    // Supplying raised the suppliers' allowance: the busiest S-peer buys beyond the base now.
    const best = [...night].sort((a, b) => b.coins - a.coins)[0]!;
    const supplier = peers.find((p) => p.id === best.id)!;
    const extra = Math.max(1, 2 * best.coins);
    const more = await control(supplier, 'buy', { coins: extra });

    progress('audit: replaying the event store');
    const reader = await JetStreamEventStore.connect({
      servers: [natsUrl],
      streamName,
      subjectPrefix,
      ...natsRoleIdentity('auditor'),
    });
    const audit = new Audit({ cisKeys: [{ keyId: cisKey.keyId, publicKey: cisKey.publicKey }] });
    const t0 = performance.now();
    let events = 0;
    let after: bigint | undefined;
    for (;;) {
      const page = await reader.readAll({ ...(after === undefined ? {} : { after }), maxCount: 1000 });
      if (page.length === 0) break;
      for (const e of page) audit.feed(e);
      events += page.length;
      after = page[page.length - 1]!.position;
    }
    const report = audit.finish();
    const seconds = (performance.now() - t0) / 1000;
    await reader.close();
    const f = audit.p2p.figures;
    const line = (k: string, v: string): void => console.log(`${k.padEnd(16)} ${v}`);
    console.log('');
    line('network', `P2P-NetPay, run ${runId}, seed ${options.seed}`);
    line(
      'peers',
      `${peers.length} (${peers.length - 1} sharing ${index.length} files; ${freeRider.id} shares nothing), ${f.peers} pseudonyms`,
    );
    line(
      'coins sold',
      `${f.coinsSold} in chains signed by the CIS (${Object.entries(f.sold)
        .map(([c, v]) => `${c} ${(v / 100).toFixed(2)}`)
        .join(', ')})`,
    );
    line(
      'downloads',
      `${tally.downloads} paid, ${tally.coins} coins; verified off-line by hashing, ${tally.recorded} recorded at once, ${tally.journalled} journalled (${peers[4]!.id} had no event store)`,
    );
    line('free-rider', `${freeRider.id} capped: ${capped.code} — ${capped.detail}`);
    line(
      'double spend',
      `${cheater.id} showed positions ${doubleSpend.positions} to ${s1.id} and ${s2.id}: ${doubleSpend.code}, proven with the two signed statements, pseudonym revoked; then ${doubleSpend.afterwards}`,
    );
    line(
      'night',
      night
        .map((n) =>
          n.refused < 0
            ? `${n.id} refused (revoked)`
            : `${n.id} ${n.coins} coins${n.refused ? ` (${n.refused} refused)` : ''}`,
        )
        .join(', '),
    );
    line(
      'supplying pays',
      `${supplier.id} (supplied ${best.coins}) buys ${extra} more (2 × supplied): ${more.status === 201 ? 'allowed' : codeOf(more)}`,
    );
    line(
      'audit',
      `${report.ok ? 'CLEAN' : `${report.violations.length} VIOLATIONS`} — ${events} events replayed at ${Math.round(events / Math.max(seconds, 1e-3))} events/s; ${f.coinsRedeemed} coins redeemed, ${f.doubleSpendsProven} double spend proven, ${f.pseudonymsRevoked} pseudonym revoked`,
    );
    for (const v of report.violations.slice(0, 10)) console.log(`  ${v.code} ${v.stream}: ${v.detail}`);
    const ok =
      report.ok &&
      capped.code === 'CIS.PURCHASE_CAPPED' &&
      doubleSpend.code === 'P2P.DOUBLE_SPEND' &&
      doubleSpend.afterwards === 'P2P.PSEUDONYM_REVOKED' &&
      f.pseudonymsRevoked === 1 &&
      tally.failures === 0 &&
      tally.downloads > 0 &&
      more.status === 201;
    return ok ? 0 : 1;
  } catch (error) {
    console.error(`P2P demo failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await supervisor.stopAll();
    if (!options.keep) await setup.deleteStreams();
    await setup.close();
  }
}
