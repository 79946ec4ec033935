import { describe, expect, it } from '@jest/globals';
import { subjectPrefix } from './subjects.js';

describe('NATS subject namespace', () => {
  it('defaults to netpay and accepts dotted tokens', () => {
    expect(subjectPrefix(undefined)).toBe('netpay');
    expect(subjectPrefix('')).toBe('netpay');
    expect(subjectPrefix('tenant_7.netpay')).toBe('tenant_7.netpay');
  });

  it('refuses wildcards, spaces and empty tokens, which would widen or break every subject', () => {
    for (const bad of ['a.*', 'a.>', 'has space', 'a..b', '.a', 'a.']) {
      expect(() => subjectPrefix(bad)).toThrow(/NATS_SUBJECT_PREFIX/);
    }
  });
});
