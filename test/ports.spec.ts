import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { freePort, freePortBlock } from './ports.js';

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('test ports', () => {
  it('never hands out a block that crosses a port someone else holds', async () => {
    const base = await freePortBlock(6);
    const foreign = await listen(base + 1);
    try {
      // Candidate blocks of three in [base, base + 6): base and base + 1 cross the held port.
      expect(await freePortBlock(3, base, base + 6)).toBe(base + 2);
    } finally {
      foreign.close();
    }
  });

  it('says so when no block is free', async () => {
    const base = await freePortBlock(2);
    const foreign = await listen(base);
    try {
      await expect(freePortBlock(2, base, base + 3)).rejects.toThrow(/no 2 consecutive free loopback ports/);
    } finally {
      foreign.close();
    }
  });

  it('gives a port that can be listened on', async () => {
    const server = await listen(await freePort());
    expect(server.listening).toBe(true);
    server.close();
  });
});
