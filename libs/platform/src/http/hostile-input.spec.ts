import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MAX_JSON_DEPTH } from './json-body.js';
import { httpClient } from './testing/http-client.js';
import { Executions } from './testing/sample-app.js';
import { startSampleApp } from './testing/sample-http-app.js';

/** Raw HTTP/1.1 over a socket: for requests fetch refuses to send (bad URLs, huge headers). */
async function rawRequest(
  url: string,
  request: string,
): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
  });
}

// Hostile input never reaches a recursive step and never leaks Fastify's own error shapes.
describe('hostile HTTP input', () => {
  let app: NestFastifyApplication;
  let url: string;
  let executions: Executions;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    app = await startSampleApp({ bodyLimit: 64 * 1024 });
    executions = app.get(Executions);
    url = await app.getUrl();
    http = httpClient(url);
  });
  afterAll(() => app.close());

  const expectProblem = (
    res: { status: number; headers: Headers; text: string },
    status: number,
    code: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.text)).toMatchObject({ status, code, type: `urn:netpay:error:${code}` });
  };

  it.each([
    ['objects', '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)],
    ['arrays', '['.repeat(3000) + ']'.repeat(3000)],
    [
      'arrays in a field',
      `{"coins":1,"currency":"EUR","x":${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}}`,
    ],
  ])('refuses JSON nested too deep (%s) with 400 REQUEST.TOO_DEEP, running nothing', async (_kind, raw) => {
    const before = executions.count;
    const res = await http('POST', '/chains', { raw, headers: { 'idempotency-key': `deep-${raw.length}` } });
    expectProblem(res, 400, 'REQUEST.TOO_DEEP');
    expect(executions.count).toBe(before);
  });

  it('still takes brackets inside strings and nesting up to the limit', async () => {
    const nested = `${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}`;
    const res = await http('POST', '/chains', {
      raw: `{"coins":1,"currency":"${'[{'.repeat(500)}\\"]"}`,
      headers: { 'idempotency-key': 'deep-strings-1' },
    });
    expect(res.status).toBe(201);
    const deepButFine = await http('POST', '/chains', {
      raw: `{"coins":1,"currency":"EUR","extra":${nested}}`,
      headers: { 'idempotency-key': 'deep-fine-1' },
    });
    expectProblem(deepButFine, 400, 'REQUEST.INVALID'); // refused by the DTO, not by depth
  });

  it.each([
    ['compressed', { 'content-encoding': 'gzip' }],
    ['in UTF-16', { 'content-type': 'application/json; charset=utf-16' }],
    ['in Latin-1', { 'content-type': 'application/json;charset="iso-8859-1"' }],
  ])(
    'refuses a JSON body sent %s with 415, running nothing (it was parsed as UTF-8 text)',
    async (_kind, headers) => {
      const before = executions.count;
      const res = await http('POST', '/chains', {
        raw: '{"coins":1,"currency":"EUR"}',
        headers: { 'idempotency-key': `encoded-${JSON.stringify(headers).length}`, ...headers },
      });
      expectProblem(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE');
      expect(executions.count).toBe(before);
    },
  );

  it('takes a JSON body that says UTF-8 (or ASCII, its subset), or identity encoding', async () => {
    for (const [key, headers] of [
      ['utf8-body-0001', { 'content-type': 'application/json; charset=UTF-8' }],
      ['identity-body-0001', { 'content-encoding': 'identity' }],
      ['ascii-body-0001', { 'content-type': 'application/json; charset=us-ascii' }],
    ] as const) {
      const res = await http('POST', '/chains', {
        raw: '{"coins":1,"currency":"EUR"}',
        headers: { 'idempotency-key': key, ...headers },
      });
      expect(res.status).toBe(201);
    }
  });

  it('answers a bad URL with problem+json, not FST_ERR_BAD_URL', async () => {
    const res = await http('GET', '/chains/by-id/%E0%A4%A');
    expectProblem(res, 400, 'REQUEST.INVALID');
    expect(res.text).not.toContain('FST_');
  });

  it('answers a too long path parameter with problem+json, not FST_ERR_MAX_PARAM_LENGTH', async () => {
    const res = await http('GET', `/chains/by-id/${'a'.repeat(500)}`);
    expectProblem(res, 414, 'REQUEST.URI_TOO_LONG');
    expect(res.text).not.toContain('FST_');
  });

  it.each([
    [
      'an unknown media type',
      { 'content-type': 'text/x-unknown' },
      'x',
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an empty JSON body', { 'content-type': 'application/json' }, '', 400, 'REQUEST.INVALID'],
    [
      'a body over the limit',
      { 'content-type': 'application/json' },
      `"${'x'.repeat(70_000)}"`,
      413,
      'REQUEST.TOO_LARGE',
    ],
    [
      'a prototype poisoning body',
      { 'content-type': 'application/json' },
      '{"__proto__":{"x":1}}',
      400,
      'REQUEST.INVALID',
    ],
  ])('answers %s with problem+json and a NetPay code', async (_name, headers, raw, status, code) => {
    const res = await fetch(`${url}/chains`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `parser-${status}-${raw.length}` },
      body: raw,
    });
    const text = await res.text();
    expectProblem({ status: res.status, headers: res.headers, text }, status, code);
    expect(text).not.toContain('FST_');
  });

  it('answers headers too large with a 431 problem+json body', async () => {
    const res = await rawRequest(
      url,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE' });
  });

  it('answers a malformed request line with a 400 problem+json body', async () => {
    const res = await rawRequest(url, 'GARBAGE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
  });

  it('answers an HTTP/1.1 request without Host with a 400 problem+json body, running nothing', async () => {
    const before = executions.count;
    for (const path of ['/health', '/sample']) {
      const res = await rawRequest(url, `GET ${path} HTTP/1.1\r\nConnection: close\r\n\r\n`);
      expect(res.status).toBe(400);
      expect(res.head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
    }
    const post = await rawRequest(
      url,
      'POST /chains HTTP/1.1\r\nContent-Type: application/json\r\nIdempotency-Key: no-host-1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(post.status).toBe(400);
    expect(executions.count).toBe(before);
    // HTTP/1.0 has no Host requirement.
    expect((await rawRequest(url, 'GET /health HTTP/1.0\r\n\r\n')).head).toMatch(/^HTTP\/1\.1 200/);
  });
});
