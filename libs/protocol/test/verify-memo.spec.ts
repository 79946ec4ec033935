import { describe, expect, it } from '@jest/globals';
import { createSigner, generateSigningKey, verifyEd25519 } from '../src/index.js';

// verifyEd25519 remembers good (key, signature, message) triples: these check that a remembered
// answer is never given for anything but the exact bytes it was found good for.
const alice = createSigner(generateSigningKey('alice-1'));
const bob = createSigner(generateSigningKey('bob-1'));

describe('verifyEd25519 with remembered good signatures', () => {
  it('a good signature stays good when verified again, from another buffer with the same bytes', () => {
    const message = Buffer.from('hand-off certificate: chain c-1, index 7');
    const signature = alice.sign(message);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(true);
    expect(verifyEd25519(alice.publicKey, Buffer.from(message), signature)).toBe(true);
    expect(verifyEd25519(alice.publicKey, new Uint8Array(message), signature)).toBe(true);
  });

  it('after a good verification, the same signature over any other message does not verify', () => {
    const message = Buffer.from('vendor key certificate: newspaper, key np-1');
    const signature = alice.sign(message);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(true);
    for (let i = 0; i < message.length; i++) {
      const changed = Buffer.from(message);
      changed[i] = changed[i]! ^ 0x01;
      expect(verifyEd25519(alice.publicKey, changed, signature)).toBe(false);
    }
    expect(verifyEd25519(alice.publicKey, message.subarray(0, message.length - 1), signature)).toBe(false);
    expect(verifyEd25519(alice.publicKey, Buffer.concat([message, Buffer.from([0])]), signature)).toBe(false);
  });

  it('a buffer changed by its owner after a good verification is checked as what it now holds', () => {
    const message = Buffer.from('claim: chain c-2 from vendor a');
    const signature = alice.sign(message);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(true);
    message.write('X', 0);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(false);
  });

  it('after a good verification, the signature does not verify under another key', () => {
    const message = Buffer.from('receipt batch root 1');
    const signature = alice.sign(message);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(true);
    expect(verifyEd25519(bob.publicKey, message, signature)).toBe(false);
  });

  it('a bad signature stays bad, however often it is tried, and does not hide a good one', () => {
    const message = Buffer.from('spend: chain c-3, position 9');
    const good = alice.sign(message);
    const bad = good.slice(0, -2) + (good.endsWith('00') ? '01' : '00');
    for (let i = 0; i < 3; i++) expect(verifyEd25519(alice.publicKey, message, bad)).toBe(false);
    expect(verifyEd25519(alice.publicKey, message, good)).toBe(true);
    expect(verifyEd25519(alice.publicKey, message, bad)).toBe(false);
  });

  it('answers stay right past the memory bound (thousands of distinct good signatures)', () => {
    const signed = Array.from({ length: 5_000 }, (_, i) => {
      const message = Buffer.from(`message ${i}`);
      return { message, signature: bob.sign(message) };
    });
    for (const { message, signature } of signed)
      expect(verifyEd25519(bob.publicKey, message, signature)).toBe(true);
    const [first, second] = signed;
    expect(verifyEd25519(bob.publicKey, first!.message, first!.signature)).toBe(true);
    expect(verifyEd25519(bob.publicKey, second!.message, first!.signature)).toBe(false);
  });

  it('a signer that remembers its signatures: each verifies over its own bytes and key only', () => {
    const carol = createSigner(generateSigningKey('carol-1'), { rememberSignatures: true });
    const message = Buffer.from('ChainIssued: chain c-4, revision 0');
    const signature = carol.sign(message);
    expect(verifyEd25519(carol.publicKey, Buffer.from(message), signature)).toBe(true);
    const changed = Buffer.from(message);
    changed[0] = changed[0]! ^ 0x01;
    expect(verifyEd25519(carol.publicKey, changed, signature)).toBe(false);
    expect(verifyEd25519(alice.publicKey, message, signature)).toBe(false);
    // The other overload, the same rule; and a buffer changed after signing is what it now holds.
    const dave = createSigner('dave-1', generateSigningKey('dave-1').privateKey, {
      rememberSignatures: true,
    });
    const reused = Buffer.from('ChainRevoked: chain c-5, revision 3');
    const daveSignature = dave.sign(reused);
    reused.write('X', 0);
    expect(verifyEd25519(dave.publicKey, reused, daveSignature)).toBe(false);
  });
});
