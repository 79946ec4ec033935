import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamEventStore } from '#event-store';
import { testNatsOptions } from '#event-store/testing';
import { freePortBlock } from '../ports.js';

/** `npm start`'s stack (broker, three vendors, redemption) on ports and streams of its own. */
export class ServedStack {
  private constructor(
    private readonly child: ChildProcess,
    private readonly env: Record<string, string>,
    readonly output: () => string,
    readonly adminToken: string,
  ) {}

  readonly broker = `http://127.0.0.1:${this.env.BROKER_PORT}`;
  readonly newspaper = `http://127.0.0.1:${Number(this.env.VENDOR_BASE_PORT)}`;
  readonly greetings = `http://127.0.0.1:${Number(this.env.VENDOR_BASE_PORT) + 1}`;
  readonly music = `http://127.0.0.1:${Number(this.env.VENDOR_BASE_PORT) + 2}`;

  /** On `NETPAY_WEB_TEST_PORT` and the four after it when set, else on five free ports. */
  static async start(): Promise<ServedStack> {
    const basePort = Number(process.env.NETPAY_WEB_TEST_PORT ?? (await freePortBlock(5)));
    const run = `web_${process.pid}_${Date.now().toString(36)}`;
    const stackDir = mkdtempSync(join(tmpdir(), 'netpay-web-'));
    const env = {
      BROKER_PORT: String(basePort),
      REDEMPTION_PORT: String(basePort + 1),
      VENDOR_BASE_PORT: String(basePort + 2),
      NETPAY_STACK_DIR: stackDir,
      EVENT_STORE_STREAM: run.toUpperCase(),
      EVENT_STORE_SUBJECT_PREFIX: `netpay.${run}`,
      NATS_SUBJECT_PREFIX: run,
      REDIS_KEY_PREFIX: `netpay:${run}:`,
    };
    const child = spawn(process.execPath, ['dist/apps/demo/src/serve.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('  events: ') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 200));
    if (!out.includes('  events: ')) {
      child.kill('SIGINT');
      throw new Error(`npm start did not come up:\n${out}`);
    }
    const secrets = JSON.parse(readFileSync(join(stackDir, 'secrets.json'), 'utf8')) as {
      adminToken: string;
    };
    return new ServedStack(child, env, () => out, secrets.adminToken);
  }

  /** Admin (or any) JSON call, with an Idempotency-Key on every POST. */
  async call<T>(method: string, url: string, body?: unknown, token = this.adminToken): Promise<T> {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    await exited;
    const store = await JetStreamEventStore.connect({
      ...testNatsOptions('setup'),
      streamName: this.env.EVENT_STORE_STREAM!,
      subjectPrefix: this.env.EVENT_STORE_SUBJECT_PREFIX!,
    });
    await store.deleteStreams();
    await store.close();
  }
}
