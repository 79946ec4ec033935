import { describe, expect, it } from '@jest/globals';
import { BearerSecret, bearerTokenOf } from './bearer-token.js';

describe('bearer tokens', () => {
  it('reads the token of a Bearer header, and nothing else', () => {
    expect(bearerTokenOf('Bearer abc.DEF-123')).toBe('abc.DEF-123');
    expect(bearerTokenOf('  Bearer abc  ')).toBe('abc');
    expect(bearerTokenOf('Basic abc')).toBeUndefined();
    expect(bearerTokenOf('Bearer two words')).toBeUndefined();
    expect(bearerTokenOf(`Bearer ${'x'.repeat(513)}`)).toBeUndefined();
    expect(bearerTokenOf(['Bearer abc'])).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });

  it('takes only spaces and tabs around the header: other white space is no token', () => {
    expect(bearerTokenOf('\tBearer abc \t')).toBe('abc');
    expect(bearerTokenOf('Bearer abc\u00a0')).toBeUndefined();
    expect(bearerTokenOf('\u00a0Bearer abc')).toBeUndefined();
    expect(bearerTokenOf('Bearer abc\u2028')).toBeUndefined();
    expect(bearerTokenOf('Bearer abc\n')).toBeUndefined();
  });

  it('admits exactly the secret', () => {
    const admin = new BearerSecret('s3cret-admin-token');
    expect(admin.admits('Bearer s3cret-admin-token')).toBe(true);
    expect(admin.admits('Bearer s3cret-admin-token2')).toBe(false);
    expect(admin.admits('Bearer s3cret')).toBe(false);
    expect(admin.admits('s3cret-admin-token')).toBe(false);
    expect(admin.admits(undefined)).toBe(false);
  });
});
