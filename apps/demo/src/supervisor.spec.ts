import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from './supervisor.js';

/** A TCP listener that is not HTTP (it never answers): what an Erlang node or a database is to us. */
function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(() => undefined);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

function scratch(script: string): { root: string; logs: string } {
  const root = mkdtempSync(join(tmpdir(), 'netpay-supervisor-'));
  writeFileSync(join(root, 'main.js'), script);
  return { root, logs: join(root, 'logs') };
}

describe('Supervisor.start', () => {
  it('refuses a port something else listens on, naming it, before starting anything', async () => {
    const { server, port } = await holdPort();
    // The entry would leave a mark if it ran.
    const { root, logs } = scratch("require('fs').writeFileSync(__dirname + '/ran', '1');");
    try {
      const supervisor = new Supervisor(root, logs);
      await expect(
        supervisor.start({
          name: 'vendor-x',
          entry: 'main.js',
          env: {},
          readyUrl: `http://127.0.0.1:${port}/health`,
        }),
      ).rejects.toThrow(`vendor-x: port ${port} on 127.0.0.1 is taken by another process`);
      expect(supervisor.names()).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("says why a process exited while starting: its last logged error, this run's only", async () => {
    const { port, server } = await holdPort();
    server.close();
    const line = (message: string): string => JSON.stringify({ level: 'error', message });
    const { root, logs } = scratch(
      `console.log(${JSON.stringify(line('Error: listen EADDRINUSE: address already in use'))}); process.exit(1);`,
    );
    const supervisor = new Supervisor(root, logs);
    const spec = { name: 'vendor-y', entry: 'main.js', env: {}, readyUrl: `http://127.0.0.1:${port}/health` };
    await expect(supervisor.start(spec)).rejects.toThrow(
      /vendor-y exited with 1 while starting: Error: listen EADDRINUSE: address already in use; see /,
    );
    // A second run that logs nothing does not repeat the first run's error.
    writeFileSync(join(root, 'main.js'), 'process.exit(3);');
    await expect(supervisor.start(spec)).rejects.toThrow(/vendor-y exited with 3 while starting; see /);
  });

  it('starts on a port freed a moment later (a process it just killed still held it)', async () => {
    const { server, port } = await holdPort();
    setTimeout(() => server.close(), 300);
    const { root, logs } = scratch(
      `require('http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1');`,
    );
    const supervisor = new Supervisor(root, logs);
    await supervisor.start({
      name: 'vendor-z',
      entry: 'main.js',
      env: {},
      readyUrl: `http://127.0.0.1:${port}/health`,
    });
    expect(supervisor.names()).toEqual(['vendor-z']);
    await supervisor.stopAll();
  });
});

/** An HTTP entry on `port` that counts its runs in `<root>/runs` and, from run `failFrom` on, exits at once. */
function countingServer(port: number, failFrom = Infinity): string {
  return `const fs = require('fs'); const file = __dirname + '/runs';
const runs = (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0) + 1;
fs.writeFileSync(file, String(runs));
if (runs >= ${failFrom} && runs < ${failFrom} + 2) process.exit(7);
require('http').createServer((q, r) => r.end(String(runs))).listen(${port}, '127.0.0.1');`;
}

async function freeTcpPort(): Promise<number> {
  const { server, port } = await holdPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `url` until it answers `body`. */
async function answers(url: string, body: string, withinMs = 10_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const text = await fetch(url)
      .then((r) => r.text())
      .catch(() => '');
    if (text === body) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function until(condition: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('Supervisor with a restart policy', () => {
  const policy = (lines: string[]) => ({
    minDelayMs: 50,
    maxDelayMs: 400,
    log: (line: string) => lines.push(line),
  });

  it('starts a process that died on its own again, and again after failed restarts', async () => {
    const port = await freeTcpPort();
    // Runs 2 and 3 exit at once: the restart fails twice before the fourth run serves.
    const { root, logs } = scratch(countingServer(port, 2));
    const lines: string[] = [];
    const supervisor = new Supervisor(root, logs, policy(lines));
    const spec = { name: 'vendor-r', entry: 'main.js', env: {}, readyUrl: `http://127.0.0.1:${port}/` };
    try {
      await supervisor.start(spec);
      const first = supervisor.pid('vendor-r')!;
      process.kill(first, 'SIGKILL'); // not through the supervisor: a crash
      expect(await answers(spec.readyUrl, '4')).toBe(true);
      await until(() => lines.includes('vendor-r restarted'));
      expect(supervisor.pid('vendor-r')).not.toBe(first);
      expect(lines[0]).toMatch(/^vendor-r exited \(SIGKILL\)/);
      expect(lines.filter((l) => l.includes('restart failed: vendor-r exited with 7'))).toHaveLength(2);
      // Backing off: 50, 100, 200 ms.
      expect(lines.filter((l) => /restarting in/.test(l)).map((l) => /in (\d+) ms/.exec(l)![1])).toEqual([
        '50',
        '100',
        '200',
      ]);
      expect(lines.at(-1)).toBe('vendor-r restarted');
    } finally {
      await supervisor.stopAll();
    }
  });

  it('leaves a process stopped or killed on purpose, and restarts nothing once stopAll ran', async () => {
    const port = await freeTcpPort();
    const { root, logs } = scratch(countingServer(port));
    const lines: string[] = [];
    const supervisor = new Supervisor(root, logs, policy(lines));
    const spec = { name: 'vendor-s', entry: 'main.js', env: {}, readyUrl: `http://127.0.0.1:${port}/` };
    await supervisor.start(spec);
    supervisor.kill('vendor-s'); // the demo's staged crash
    await supervisor.start(spec);
    await supervisor.stop('vendor-s');
    await supervisor.start(spec);
    process.kill(supervisor.pid('vendor-s')!, 'SIGKILL');
    await supervisor.stopAll(); // before the restart's 50 ms are up
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFileSync(join(root, 'runs'), 'utf8')).toBe('3');
    expect(supervisor.names()).toEqual([]);
    expect(lines.some((l) => l.includes('restarted'))).toBe(false);
  });

  it('keeps a restart that is alive but slow to be ready, rather than killing it again and again', async () => {
    // Fault probe (h4): a redemption worker killed mid-night is ready only once the dead holder's
    // lease has run out (15 s); with a busy machine's start-up that passed the restart's 30 s on
    // every try, and each new try waited the lease out afresh: never ready again.
    const port = await freeTcpPort();
    const { root, logs } = scratch(`const fs = require('fs'); const file = __dirname + '/runs';
const runs = (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0) + 1;
fs.writeFileSync(file, String(runs));
const started = Date.now();
require('http').createServer((q, r) => {
  if (q.url === '/health/ready' && runs > 1 && Date.now() - started < 4000) { r.statusCode = 503; return r.end('wait'); }
  r.end(String(runs));
}).listen(${port}, '127.0.0.1');`);
    const lines: string[] = [];
    const supervisor = new Supervisor(root, logs, { ...policy(lines), readyWithinMs: 2000 });
    const spec = {
      name: 'redemption-x',
      entry: 'main.js',
      env: {},
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
    };
    try {
      await supervisor.start(spec);
      process.kill(supervisor.pid('redemption-x')!, 'SIGKILL');
      await until(() => lines.includes('redemption-x restarted'), 15_000);
      expect(lines).toContain('redemption-x restarted');
      expect(readFileSync(join(root, 'runs'), 'utf8')).toBe('2');
      expect(await answers(spec.readyUrl, '2')).toBe(true);
      // Still watched: it is restarted when it dies.
      process.kill(supervisor.pid('redemption-x')!, 'SIGKILL');
      expect(await answers(spec.readyUrl, '3')).toBe(true);
    } finally {
      await supervisor.stopAll();
    }
  });
});
