import { describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, generateSigningKey, newNonce, signIndexStatement, statementDigest } from '#protocol';
import { Journal } from './journal.js';

const key = createSigner(generateSigningKey('k'));
const statement = signIndexStatement(
  {
    chainId: 'ps_0123456789abcdef_c0011223344556677',
    pseudonym: 'ps_0123456789abcdef',
    payee: 'ps_fedcba9876543210',
    contentId: 'f',
    fromIndex: 1,
    count: 2,
    payword: 'ab'.repeat(32),
    at: '2026-12-06T03:00:00.000Z',
    nonce: newNonce(),
    keyId: 'k',
  },
  key,
);

describe('the S-peer journal', () => {
  it('keeps what was accepted across a restart, survives a torn last line, and forgets nothing unredeemed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-journal-'));
    const digest = statementDigest(statement);
    new Journal(dir).write({ kind: 'accepted', statement, digest, recorded: false, at: statement.at });
    appendFileSync(join(dir, 'journal.jsonl'), '{"kind":"accep'); // a crash mid-write
    const reopened = new Journal(dir);
    expect(reopened.unredeemed()).toEqual([statement]);
    reopened.write({ kind: 'redeemed', redemptionId: 'r1', digests: [digest], proofs: 0 });
    expect(new Journal(dir).unredeemed()).toEqual([]);
  });
});
