import { createServer, type Server } from 'node:net';

/** A loopback port that is free now, chosen by the kernel (the chaos suite's). */
export { freePort } from '../apps/demo/src/chaos/servers.js';

// Ports for the stacks that tests start. A fixed or pid-derived port can be held by anything on a
// shared machine (an Erlang node's 25672 broke the load smoke once), so every port is proved free
// by binding it on loopback first.

function bind(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: Server): Promise<void> => new Promise((done) => server.close(() => done()));

/**
 * The first of `count` consecutive loopback ports that are all free now, for a stack whose
 * processes listen on base, base + 1, …. Drawn below Linux's ephemeral range (32768 and up), so an
 * outgoing connection does not take one between this check and the stack's listen.
 */
export async function freePortBlock(count: number, low = 20_000, high = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const held: Server[] = [];
    for (let port = base; port < base + count; port++) {
      const server = await bind(port);
      if (!server) break;
      held.push(server);
    }
    await Promise.all(held.map(close));
    if (held.length === count) return base;
  }
  throw new Error(`no ${count} consecutive free loopback ports in ${low}–${high}`);
}

/** `npm start`'s and the demo's ports (broker, redemption worker, three vendors), proved free. */
export async function stackPorts(): Promise<
  Record<'BROKER_PORT' | 'REDEMPTION_PORT' | 'VENDOR_BASE_PORT', string>
> {
  const base = await freePortBlock(5);
  return { BROKER_PORT: String(base), REDEMPTION_PORT: String(base + 1), VENDOR_BASE_PORT: String(base + 2) };
}
