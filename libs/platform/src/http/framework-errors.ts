import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../errors/netpay-exception.filter.js';
import { mapError, toProblem } from '../errors/problem.js';

/**
 * Fastify's router answers some requests itself, before any Nest handler or filter runs (a URL
 * that does not decode, a path parameter past `maxParamLength`). Routed here (the `frameworkErrors`
 * option), they get the same problem+json body and stable code as every other error.
 */
export function answerFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const mapping = mapError(error);
  void reply
    .status(mapping.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(mapping, request.url)));
}

const CLIENT_ERRORS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a
 * malformed request line): Fastify's `clientErrorHandler` writes the answer on the raw socket.
 * Ours writes problem+json with a NetPay code instead of Fastify's bare JSON or an empty 431.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = CLIENT_ERRORS[error.code ?? ''] ?? 400;
  const detail =
    status === 431
      ? 'The request headers are too large.'
      : status === 408
        ? 'The request took too long to arrive.'
        : 'The request is not valid HTTP.';
  const refused = Object.assign(new Error(detail), { statusCode: status, code: 'FST_CLIENT_ERROR' });
  const body = JSON.stringify(toProblem(mapError(refused)));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * An HTTP/1.1 request without a Host header is invalid (RFC 9112, 3.2). Node refuses it itself
 * with a bare 400 unless `requireHostHeader` is off; with it off, this hook refuses it with
 * problem+json and a code, as every other malformed request.
 */
export function refuseMissingHost(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (request.headers.host !== undefined || raw.httpVersionMajor !== 1 || raw.httpVersionMinor < 1)
      return done();
    const refused = Object.assign(new Error('An HTTP/1.1 request needs a Host header.'), {
      statusCode: 400,
      code: 'FST_CLIENT_ERROR',
    });
    answerFrameworkError(refused, request, reply);
  });
}
