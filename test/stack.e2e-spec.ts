import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePortBlock } from './ports.js';

const run = promisify(execFile);

/** Something answers on host:port with the given greeting after sending `hello`. */
function answers(port: number, hello: string, greeting: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => {
      if (hello) socket.write(hello);
    });
    socket.once('data', (buf) => finish(buf.toString().startsWith(greeting)));
  });
}

// Ports nothing on this machine listens on (proved before the tests), so `up` has to start its own
// servers: NATS on the first, Redis on the second; the third and fourth for the NATS cases below.
let natsPort = 0;
let redisPort = 0;

describe('npm run stack:up / stack:down', () => {
  beforeAll(async () => {
    natsPort = await freePortBlock(4);
    redisPort = natsPort + 3;
  });

  it('starts NATS (JetStream) and Redis when nothing listens, then stops only what it started', async () => {
    const env = {
      ...process.env,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      NETPAY_STACK_DIR: mkdtempSync(join(tmpdir(), 'netpay-stack-')),
    };
    expect(await answers(natsPort, '', 'INFO ')).toBe(false);
    const up = await run(process.execPath, ['scripts/stack.mjs', 'up'], { env });
    expect(up.stdout).toContain(`started nats`);
    expect(up.stdout).toContain('NATS identities for');
    expect(up.stdout).toContain(`started redis`);
    expect(await answers(natsPort, '', 'INFO ')).toBe(true);
    expect(await answers(redisPort, 'PING\r\n', '+PONG')).toBe(true);

    // A second `up` finds them answering and starts nothing.
    const again = await run(process.execPath, ['scripts/stack.mjs', 'up'], { env });
    expect(again.stdout).toContain('(using it)');
    expect(again.stdout).not.toContain('started');

    await run(process.execPath, ['scripts/stack.mjs', 'down'], { env });
    await new Promise((r) => setTimeout(r, 500));
    expect(await answers(natsPort, '', 'INFO ')).toBe(false);
    expect(await answers(redisPort, 'PING\r\n', '+PONG')).toBe(false);
  });

  it('leaves a NATS without our identities alone, and says so', async () => {
    const port = natsPort + 2;
    const foreign = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !(await answers(port, '', 'INFO ')); i++)
        await new Promise((r) => setTimeout(r, 50));
      const env = {
        ...process.env,
        NATS_URL: `nats://127.0.0.1:${port}`,
        NETPAY_STACK_DIR: mkdtempSync(join(tmpdir(), 'netpay-stack-')),
      };
      const failed = await run(process.execPath, ['scripts/stack.mjs', 'up'], { env }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toContain(`the NATS on 127.0.0.1:${port} is not ours`);
      expect(failed?.stderr).toContain('NETPAY_NATS_PORT');
    } finally {
      foreign.kill('SIGTERM');
    }
  });

  it('says what to install when a server binary is missing', async () => {
    const env = {
      ...process.env,
      NATS_URL: `nats://127.0.0.1:${natsPort + 1}`,
      NATS_SERVER_BIN: '/nonexistent/nats-server',
      NETPAY_STACK_DIR: mkdtempSync(join(tmpdir(), 'netpay-stack-')),
    };
    const failed = await run(process.execPath, ['scripts/stack.mjs', 'up'], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('apt-get install nats-server');
  });
});
