import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { NetPayError, PLATFORM_ERROR } from '../errors/netpay-error.js';

/**
 * Deepest JSON nesting a request may carry. Our commands are a few levels deep (a touchstone
 * inside a body is three); anything near this is hostile. Validation (class-transformer) and the
 * idempotency fingerprint walk bodies recursively, so a few KB of `[[[[…` would overflow the
 * stack there: the depth is checked on the raw text, before anything recursive runs.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in JSON text, stopping early once past `limit`.
 * One pass with a counter, no recursion; brackets inside strings do not count.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** The refusal of a body nested deeper than `maxDepth`. */
export function tooDeep(maxDepth: number): NetPayError {
  return new NetPayError(
    PLATFORM_ERROR.REQUEST_TOO_DEEP,
    `JSON nested deeper than ${maxDepth} levels is refused.`,
    { status: 400 },
  );
}

/**
 * A body this parser would misread: compressed (`Content-Encoding` other than identity; the raw
 * bytes are not JSON) or in another charset than UTF-8 (read as UTF-8 it would be other text).
 * Refused 415 with a stable code rather than parsed as something the client did not send.
 */
function unreadableBody(request: FastifyRequest): NetPayError | undefined {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && !['', 'identity'].includes(encoding.trim().toLowerCase())) {
    return new NetPayError(
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding ${encoding} is not accepted: send the JSON body uncompressed.`,
      { status: 415 },
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  // ASCII is UTF-8's subset: read as UTF-8 it is the same text.
  if (charset !== undefined && !/^(utf-?8|us-ascii|ascii)$/i.test(charset)) {
    return new NetPayError(
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      `JSON is accepted in UTF-8 only, not ${charset}.`,
      {
        status: 415,
      },
    );
  }
  return undefined;
}

/**
 * Registers the JSON body parser: refuses too-deep bodies first, then parses with Fastify's own
 * parser (prototype-poisoning checks included), within the app's body limit.
 */
export function useJsonBodyParser(app: NestFastifyApplication, maxDepth = MAX_JSON_DEPTH): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.useBodyParser(
    'application/json',
    { bodyLimit },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      const unreadable = unreadableBody(request);
      if (unreadable) {
        done(unreadable);
        return;
      }
      const text = body.toString('utf8');
      if (jsonDepth(text, maxDepth) > maxDepth) {
        done(tooDeep(maxDepth));
        return;
      }
      void parse(request, text, done);
    },
  );
}
