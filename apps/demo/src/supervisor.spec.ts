import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
