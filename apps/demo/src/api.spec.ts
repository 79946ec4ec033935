import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mustRetrying } from './api.js';

interface Seen {
  readonly key: string | undefined;
  readonly body: string;
}

/** A server answering the given statuses in turn (the last one again once they run out). */
async function answering(
  statuses: readonly number[],
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ key: request.headers['idempotency-key'] as string | undefined, body });
      const status = statuses[Math.min(seen.length, statuses.length) - 1]!;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(status === 201 ? { ok: seen.length } : { code: `TEST.${status}` }));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/purchases`, seen, server };
}

const noWait = { sleep: async (): Promise<void> => undefined };

describe('mustRetrying (load seeding)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((closed) => server?.close(closed));
    server = undefined;
  });

  it('asks again after a 503 with the same Idempotency-Key and body, and answers the success', async () => {
    const s = await answering([503, 503, 201]);
    server = s.server;
    const answer = await mustRetrying<{ ok: number }>(s.url, { body: { coins: 5 } }, noWait);
    expect(answer).toEqual({ ok: 3 });
    expect(s.seen).toHaveLength(3);
    expect(s.seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(s.seen.map((x) => x.key)).size).toBe(1);
    expect(new Set(s.seen.map((x) => x.body))).toEqual(new Set(['{"coins":5}']));
  });

  it('keeps an Idempotency-Key the caller gave', async () => {
    const s = await answering([503, 201]);
    server = s.server;
    await mustRetrying(s.url, { body: {}, idempotencyKey: 'seed-key-1' }, noWait);
    expect(s.seen.map((x) => x.key)).toEqual(['seed-key-1', 'seed-key-1']);
  });

  it('does not ask again after a client error', async () => {
    const s = await answering([409, 201]);
    server = s.server;
    await expect(mustRetrying(s.url, { body: {} }, noWait)).rejects.toThrow(/→ 409 .*TEST\.409/);
    expect(s.seen).toHaveLength(1);
  });

  it('gives up after its attempts, naming the last refusal', async () => {
    const s = await answering([503]);
    server = s.server;
    await expect(mustRetrying(s.url, { body: {} }, { ...noWait, attempts: 3 })).rejects.toThrow(
      /→ 503 .*TEST\.503/,
    );
    expect(s.seen).toHaveLength(3);
  });
});
