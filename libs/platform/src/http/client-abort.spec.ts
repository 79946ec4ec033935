import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger } from '../logging/json-logger.js';
import { startSampleApp } from './testing/sample-http-app.js';

/** Sends `head` and a body shorter than its Content-Length, then hangs up. */
function hangUp(url: string, path: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1`,
      );
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

// A client that goes away in the middle of its body made an error-level INTERNAL line: anyone
// could fill the logs and page an operator with them.
describe('a client that hangs up mid-body', () => {
  let app: NestFastifyApplication;
  let url: string;
  const lines: string[] = [];

  beforeAll(async () => {
    app = await startSampleApp({
      logger: new JsonLogger({ service: 'sample', write: (line) => lines.push(line) }),
    });
    url = await app.getUrl();
  });
  afterAll(() => app.close());

  it('is not logged as a server error', async () => {
    lines.length = 0;
    for (let i = 0; i < 3; i++) await hangUp(url, '/sample');
    await new Promise((r) => setTimeout(r, 300));
    const errors = lines.filter((l) => /"level":"(error|fatal)"/.test(l));
    expect(errors).toEqual([]);
    expect(lines.join('\n')).not.toContain('INTERNAL');
  });
});
