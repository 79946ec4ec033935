import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header (printable ASCII, 1–512 characters). */
export function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  // Only HTTP's own white space around it (String.trim would also take U+00A0 and the like, and
  // a header that differs in them would be another idempotency principal for the same token).
  return /^[ \t]*Bearer ([\x21-\x7e]{1,512})[ \t]*$/.exec(header)?.[1];
}

/** A shared secret presented as a bearer token (an operator's `ADMIN_TOKEN`). */
export class BearerSecret {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = digest(secret);
  }

  /** Whether the `Authorization` header carries exactly this secret. */
  admits(header: string | string[] | undefined): boolean {
    const token = bearerTokenOf(header);
    // Compare digests: constant time whatever the lengths.
    return token !== undefined && timingSafeEqual(digest(token), this.expected);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
