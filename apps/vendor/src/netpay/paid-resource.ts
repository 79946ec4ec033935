import { createHash } from 'node:crypto';
import { MAX_TEXT_BYTES } from '#protocol';

// The characters the protocol refuses in a receipt's text fields.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const EVERY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Code points of an over-long or odd path kept readable in front of its hash. */
const KEPT_CODE_POINTS = 256;

/**
 * What a paid route's receipt names: `<METHOD> <path>`. The query is left
 * out: it does not change what is sold, a retry with another query is the
 * same purchase, and it is where a URL grows without bound. A path that would
 * not fit a receipt (over MAX_TEXT_BYTES, control characters, broken UTF-16)
 * is named by a readable prefix and the SHA-256 of the whole path, so two such
 * paths still name different resources.
 */
export function paidResource(method: string, url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const plain = `${method} ${path}`;
  if (fits(plain)) return plain;
  const prefix = Array.from(path.replace(EVERY_CONTROL, ''))
    .slice(0, KEPT_CODE_POINTS)
    .filter((c) => fits(c))
    .join('');
  const digest = createHash('sha256').update(path, 'utf8').digest('hex');
  return `${method} ${prefix}…#sha256=${digest}`;
}

function fits(text: string): boolean {
  const bytes = Buffer.byteLength(text, 'utf8');
  // An ASCII string (as many bytes as characters) is well-formed UTF-16: no round trip needed.
  const wellFormed = bytes === text.length || Buffer.from(text, 'utf8').toString('utf8') === text;
  return bytes <= MAX_TEXT_BYTES && !CONTROL.test(text) && wellFormed;
}
