import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigError } from './config-error.js';
import { describeConfig, renderConfigMarkdown } from './describe-config.js';
import { EnvVar } from './env-var.decorator.js';
import { loadConfig } from './load-config.js';

class BaseConfig {
  @EnvVar({ name: 'PORT', description: 'HTTP port', default: 3000 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @EnvVar({ name: 'LOG_FORMAT', description: 'json or pretty', default: 'json' })
  @IsIn(['json', 'pretty'])
  logFormat!: string;
}

class VendorConfig extends BaseConfig {
  @EnvVar({ name: 'NATS_SERVERS', description: 'NATS servers', type: 'url-list', protocols: ['nats:'] })
  natsServers!: string[];

  @EnvVar({ name: 'REDIS_URL', description: 'Redis', type: 'url', default: 'redis://127.0.0.1:6379' })
  redisUrl!: string;

  @EnvVar({ name: 'HANDOFF_TIMEOUT', description: 'hand-off reply wait', type: 'duration', default: '2s' })
  @IsInt()
  @Min(1)
  handOffTimeoutMs!: number;

  @EnvVar({ name: 'SPEND_CACHE', description: 'use the Redis index cache', default: true })
  spendCache!: boolean;

  @EnvVar({ name: 'VENDOR_KEY', description: 'Ed25519 private key (PEM)', secret: true })
  @IsString()
  @MinLength(16)
  vendorKey!: string;

  @EnvVar({ name: 'VENDOR_REGION', description: 'optional region tag' })
  @IsOptional()
  @IsString()
  region?: string;
}

const good = { NATS_SERVERS: 'nats://a:4222, nats://b:4222', VENDOR_KEY: 'k'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(VendorConfig, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.variable}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and converts numbers, booleans, durations, URL lists', () => {
    const config = loadConfig(VendorConfig, {
      ...good,
      PORT: '8080',
      HANDOFF_TIMEOUT: '1m30s',
      SPEND_CACHE: 'off',
    });
    expect(config).toBeInstanceOf(VendorConfig);
    expect(config.port).toBe(8080);
    expect(config.logFormat).toBe('json');
    expect(config.natsServers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.handOffTimeoutMs).toBe(90_000);
    expect(config.spendCache).toBe(false);
    expect(config.region).toBeUndefined();
  });

  it('treats an empty variable as unset, so the default applies', () => {
    expect(loadConfig(VendorConfig, { ...good, PORT: '' }).port).toBe(3000);
  });

  it('reports every bad or missing variable in one error, naming what each expects', () => {
    const problems = problemsOf({
      PORT: '70000',
      LOG_FORMAT: 'xml',
      NATS_SERVERS: 'http://a:4222',
      HANDOFF_TIMEOUT: 'soon',
      SPEND_CACHE: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: must not be greater than 65535 (got 70000)',
        expect.stringMatching(/^LOG_FORMAT: must be one of the following values: json, pretty/),
        'NATS_SERVERS: expected a URL with scheme nats:, got "http://a:4222"',
        expect.stringMatching(/^HANDOFF_TIMEOUT: expected a duration like 500ms/),
        expect.stringMatching(/^SPEND_CACHE: expected a boolean/),
        'VENDOR_KEY: required but not set (Ed25519 private key (PEM))',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('never echoes a secret value', () => {
    const [problem] = problemsOf({ ...good, VENDOR_KEY: 'short-secret' });
    expect(problem).toBe('VENDOR_KEY: must be longer than or equal to 16 characters (got <secret hidden>)');
  });

  it('reads <NAME>_FILE, dropping the trailing newline, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-config-'));
    const keyFile = join(dir, 'vendor.key');
    writeFileSync(keyFile, 'x'.repeat(20) + '\n');
    const config = loadConfig(VendorConfig, { NATS_SERVERS: 'nats://a:4222', VENDOR_KEY_FILE: keyFile });
    expect(config.vendorKey).toBe('x'.repeat(20));
    expect(problemsOf({ ...good, VENDOR_KEY_FILE: keyFile })).toEqual([
      'VENDOR_KEY: set VENDOR_KEY or VENDOR_KEY_FILE, not both',
    ]);
    expect(problemsOf({ NATS_SERVERS: 'nats://a:4222', VENDOR_KEY_FILE: join(dir, 'missing') })).toEqual([
      `VENDOR_KEY_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    ]);
  });

  it('lists the problems in the error message itself', () => {
    expect(() => loadConfig(VendorConfig, {})).toThrow(
      /Invalid configuration \(VendorConfig\), 2 problem\(s\):\n {2}- NATS_SERVERS/,
    );
  });
});

describe('describeConfig', () => {
  it('enumerates base and own variables with defaults, required and secret flags', () => {
    const vars = describeConfig(VendorConfig);
    expect(vars.map((v) => v.name)).toEqual([
      'PORT',
      'LOG_FORMAT',
      'NATS_SERVERS',
      'REDIS_URL',
      'HANDOFF_TIMEOUT',
      'SPEND_CACHE',
      'VENDOR_KEY',
      'VENDOR_REGION',
    ]);
    const byName = new Map(vars.map((v) => [v.name, v]));
    expect(byName.get('PORT')).toMatchObject({ type: 'number', default: '3000', required: false });
    expect(byName.get('HANDOFF_TIMEOUT')).toMatchObject({ type: 'duration', default: '2s' });
    expect(byName.get('SPEND_CACHE')).toMatchObject({ type: 'boolean', default: 'true' });
    expect(byName.get('VENDOR_KEY')).toMatchObject({ required: true, secret: true });
    expect(byName.get('VENDOR_REGION')).toMatchObject({ required: false, default: undefined });
  });

  it('renders a Markdown reference table', () => {
    const md = renderConfigMarkdown(VendorConfig);
    expect(md).toContain('| `HANDOFF_TIMEOUT` | duration | `2s` | hand-off reply wait |');
    expect(md).toContain(
      '| `VENDOR_KEY` | string |  | Ed25519 private key (PEM) (required; secret, or `VENDOR_KEY_FILE`) |',
    );
  });
});
