import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { testNatsEnv } from '#event-store/testing';

const ROOT = resolve(import.meta.dirname, '..');
const HEX = 'ab'.repeat(32);
const PASSWORD = 'Esdb-Pa55word-never-logged';
/** A connection string the EventStoreDB client cannot parse: its error holds the whole string. */
const BAD_CONNECTION = `esdb://admin:${PASSWORD}@127.0.0.1:2113?tls=false&nodePreference=bogus`;

/** Each process with what it needs at the least, on the test NATS as its own identity. */
const APPS: readonly (readonly [string, string, Record<string, string>])[] = [
  [
    'broker',
    'dist/apps/broker/src/main.js',
    { ...testNatsEnv('broker'), ADMIN_TOKEN: 'a'.repeat(16), WALLET_ENCRYPTION_KEY: HEX, BROKER_SECRET: HEX },
  ],
  [
    'vendor',
    'dist/apps/vendor/src/main.js',
    { ...testNatsEnv('vendor-v1'), VENDOR_ID: 'v1', VENDOR_KEY: HEX, BROKER_PUBLIC_KEYS: `b1:${HEX}` },
  ],
  [
    'redemption',
    'dist/apps/redemption/src/main.js',
    {
      ...testNatsEnv('redemption'),
      ADMIN_TOKEN: 'a'.repeat(16),
      REDEMPTION_SIGNING_KEY: HEX,
      BROKER_PUBLIC_KEYS: `b1:${HEX}`,
    },
  ],
  ['cis', 'dist/apps/cis/src/main.js', { ...testNatsEnv('cis'), CIS_SIGNING_KEY: HEX, CIS_SECRET: HEX }],
];

function run(main: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_FORMAT: 'json',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: BAD_CONNECTION,
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

// A process that cannot start says so in one JSON log line (what a log shipper reads), through the
// logger's redaction: the EventStoreDB client's parse error carries the connection string, password
// and all, and `console.error` printed it whole on stderr.
describe('a process that fails to start (built apps: npm run build)', () => {
  it.each(APPS)(
    '%s logs why as a fatal JSON line, without the secrets in its config',
    async (name, main, env) => {
      const { code, output } = await run(main, env);
      expect(code).toBe(1);
      expect(output).not.toContain(PASSWORD);
      const fatal = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; service: string; message: string })
        .find((l) => l.level === 'fatal');
      expect(fatal?.service).toMatch(new RegExp(`^${name}`));
      expect(fatal?.message).toMatch(/failed to start: .*bogus/);
    },
  );
});
