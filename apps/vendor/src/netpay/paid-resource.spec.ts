import { describe, expect, it } from '@jest/globals';
import { MAX_TEXT_BYTES } from '#protocol';
import { checkResource } from '../engine/receipts.js';
import { paidResource } from './paid-resource.js';

describe('the resource a paid route’s receipt names', () => {
  it('is the method and the path, without the query', () => {
    expect(paidResource('GET', '/articles/a1')).toBe('GET /articles/a1');
    expect(paidResource('GET', '/articles/a1?utm=x&page=2')).toBe('GET /articles/a1');
    expect(paidResource('GET', '/articles/a1?' + 'q'.repeat(10_000))).toBe('GET /articles/a1');
  });

  it('stays within what a receipt carries however long or odd the path, and tells paths apart', () => {
    const long = '/clips/' + 'é'.repeat(5_000);
    const odd = '/clips/a\nb\u0085c\ud800';
    for (const path of [long, odd, long + 'x']) {
      const resource = paidResource('GET', path);
      expect(Buffer.byteLength(resource, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
      expect(() => checkResource(resource)).not.toThrow();
      expect(resource.startsWith('GET /clips/')).toBe(true);
    }
    expect(paidResource('GET', long)).not.toBe(paidResource('GET', long + 'x'));
    expect(paidResource('GET', odd)).not.toBe(paidResource('GET', '/clips/abc'));
  });
});
