// Boots the CIS and peers in-process for tests: real HTTP between them, the store the test hands in.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '#event-store';
import { type Clock, createHttpApp, JsonLogger, loadConfig } from '#platform';
import { createSigner, generateSigningKey, type PublicKeyRecord } from '#protocol';
import { CisConfig } from '../../cis/src/cis.config.js';
import { CisCore } from '../../cis/src/cis.core.js';
import { CIS_VERSION, CisModule } from '../../cis/src/cis.module.js';
import { PeerConfig } from '../src/peer.config.js';
import { PeerCore, type SharedContent } from '../src/peer.core.js';
import { PEER_VERSION, PeerModule } from '../src/peer.module.js';

export const CONTROL_TOKEN = 'peer-control-token-for-tests';

export interface TestCis {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly core: CisCore;
  readonly keys: PublicKeyRecord[];
  close(): Promise<void>;
}

const quiet = (service: string): JsonLogger =>
  new JsonLogger({ service, level: 'error', write: () => undefined });

export async function startCis(options: {
  store: EventStore;
  env?: Record<string, string>;
  redis?: boolean;
  clock?: Clock;
}): Promise<TestCis> {
  const key = generateSigningKey('cis-test-1');
  const config = loadConfig(CisConfig, {
    CIS_SIGNING_KEY: key.privateKey,
    CIS_KEY_ID: key.keyId,
    CIS_SECRET: randomBytes(32).toString('hex'),
    REDIS_KEY_PREFIX: `netpay:test:cis:${randomBytes(4).toString('hex')}:`,
    ...options.env,
  });
  const app = await createHttpApp(
    CisModule.forRoot({
      config,
      eventStore: options.store,
      redis: options.redis ?? true,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    { name: 'cis', version: CIS_VERSION, port: 0, host: '127.0.0.1', logger: quiet('cis'), docsUi: false },
  );
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    core: app.get(CisCore),
    keys: [{ keyId: key.keyId, publicKey: createSigner(key).publicKey }],
    close: () => app.close(),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestPeer {
  readonly name: string;
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly core: PeerCore;
  readonly journalDir: string;
  close(): Promise<void>;
}

export async function startPeer(options: {
  name: string;
  cis: TestCis;
  store?: EventStore;
  content?: readonly SharedContent[];
  journalDir?: string;
  key?: string;
}): Promise<TestPeer> {
  const port = await freePort();
  const journalDir = options.journalDir ?? mkdtempSync(join(tmpdir(), `netpay-peer-${options.name}-`));
  const config = loadConfig(PeerConfig, {
    PORT: String(port),
    HOST: '127.0.0.1',
    PEER_IDENTITY: `${options.name}@example.test`,
    PEER_KEY: options.key ?? generateSigningKey('x').privateKey,
    PEER_KEY_ID: `key-${options.name}`,
    CIS_URL: options.cis.url,
    CIS_PUBLIC_KEYS: options.cis.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
    PEER_JOURNAL_DIR: journalDir,
    PEER_CONTROL_TOKEN: CONTROL_TOKEN,
    PEER_HEARTBEAT: '60s',
    PEER_EVENT_STORE: 'none',
  });
  const app = await createHttpApp(PeerModule.forRoot({ config }), {
    name: 'peer',
    version: PEER_VERSION,
    port,
    host: '127.0.0.1',
    logger: quiet(`peer-${options.name}`),
    docsUi: false,
    listen: false,
  });
  const core = app.get(PeerCore);
  for (const c of options.content ?? []) core.share(c);
  if (options.store) core.attachStore(options.store);
  await app.listen(port, '127.0.0.1');
  await core.start();
  return {
    name: options.name,
    app,
    url: `http://127.0.0.1:${port}`,
    core,
    journalDir,
    close: () => app.close(),
  };
}

export function file(
  contentId: string,
  price: number,
  text = `content of ${contentId} `.repeat(20),
): SharedContent {
  return { contentId, title: contentId.replace(/[._-]/g, ' '), price, bytes: Buffer.from(text) };
}
