import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NetPayLogger } from '../logging/netpay-logger.js';
import { httpClient } from './testing/http-client.js';
import { startSampleApp } from './testing/sample-http-app.js';

interface RequestLine {
  context?: string;
  method?: string;
  route?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  correlationId?: string;
}

// Fastify's router answers a URL that does not decode and a path parameter past its limit itself,
// before any hook of a route runs: those requests got a problem+json answer but no request line and
// no count in http_requests_total, so a probe with broken URLs left no trace in logs or metrics.
describe('requests the router answers itself are logged and counted like any other', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<typeof httpClient>;
  const lines: string[] = [];
  const logger = new NetPayLogger({ service: 'sample', write: (l) => lines.push(l) });

  beforeAll(async () => {
    app = await startSampleApp({ logger });
    http = httpClient(await app.getUrl());
  });
  afterAll(() => app.close());

  const requestLines = (): RequestLine[] =>
    lines
      .map((l) => JSON.parse(l) as RequestLine)
      .filter((l) => l.context === 'Http' && l.status !== undefined);

  it.each([
    ['a URL that does not decode', '/chains/by-id/%E0%A4%A', 400],
    ['a path parameter too long', `/chains/by-id/${'a'.repeat(500)}`, 414],
  ])('%s: one request line and one count', async (_what, path, status) => {
    const res = await http('GET', path, { headers: { 'x-correlation-id': `probe-${status}` } });
    expect(res.status).toBe(status);
    await new Promise((r) => setTimeout(r, 20));
    const line = requestLines().find((l) => l.status === status);
    expect(line).toMatchObject({
      method: 'GET',
      route: 'unmatched',
      path: path.split('?')[0],
      status,
      correlationId: `probe-${status}`,
    });
    expect(typeof line?.durationMs).toBe('number');
    expect(res.headers.get('x-correlation-id')).toBe(`probe-${status}`);
    const metrics = (await http('GET', '/metrics')).text;
    expect(metrics).toContain(`http_requests_total{method="GET",route="unmatched",status="${status}"} 1`);
  });
});
