import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startSampleApp } from './testing/sample-http-app.js';

/**
 * A slow-body client (slowloris): the headers arrive at once, then one byte of body every
 * `everyMs`, up to `maxBytes`. Resolves with what the server wrote and whether the server closed
 * the connection before the client had sent its last byte.
 */
function dribble(
  url: string,
  everyMs: number,
  maxBytes: number,
): Promise<{ text: string; closedByServer: boolean; bytesSent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    let bytesSent = 0;
    let finished = false;
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${maxBytes + 2}\r\n\r\n{`,
      );
    });
    const timer = setInterval(() => {
      if (bytesSent >= maxBytes) {
        clearInterval(timer);
        finished = true;
        socket.destroy();
        return;
      }
      if (socket.writable) socket.write(' ');
      bytesSent += 1;
    }, everyMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, closedByServer: !finished, bytesSent });
    });
  });
}

// A request whose body never finishes arriving must not hold a connection (and its memory) for
// ever: Fastify's default `requestTimeout` is 0 (no limit), which also turns off Node's own.
describe('slow request bodies', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    app = await startSampleApp({ requestTimeout: 1_000 });
    url = await app.getUrl();
  });
  afterAll(() => app.close());

  it('answers 408 REQUEST.TIMEOUT and closes the connection of a body still trickling in after HTTP_REQUEST_TIMEOUT', async () => {
    // 40 bytes, one every 250 ms: 10 s to send, far past the 1 s limit.
    const result = await dribble(url, 250, 40);
    expect(result.closedByServer).toBe(true);
    expect(result.bytesSent).toBeLessThan(40);
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(result.text.split('\r\n\r\n')[1] ?? '{}') as { status?: number; code?: string };
    expect(body).toMatchObject({ status: 408, code: 'REQUEST.TIMEOUT' });
  }, 30_000);
});
