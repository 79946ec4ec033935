import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { IsInt } from 'class-validator';
import { ConfigError } from '../config/config-error.js';
import { configProvider } from '../config/config.provider.js';
import { EnvVar } from '../config/env-var.decorator.js';
import { JsonLogger } from '../logging/json-logger.js';
import { createHttpApp } from './create-http-app.js';

class SampleConfig {
  @EnvVar({ name: 'SAMPLE_PORT', description: 'port' })
  @IsInt()
  port!: number;
}

@Injectable()
class NeedsMissing {
  constructor(@Inject('MISSING') readonly missing: unknown) {}
}

function capture(): { logger: JsonLogger; errors: () => string[] } {
  const lines: string[] = [];
  const logger = new JsonLogger({ service: 'sample', write: (l) => lines.push(l) });
  const errors = () =>
    lines
      .map((l) => JSON.parse(l) as { level: string; message: string })
      .filter((l) => l.level === 'error')
      .map((l) => l.message);
  return { logger, errors };
}

// Bootstrap errors must reach the caller and the log, never vanish (or abort the process).
describe('createHttpApp bootstrap failures', () => {
  it('rejects with the ConfigError listing every bad variable', async () => {
    @Module({ providers: [configProvider(SampleConfig, { SAMPLE_PORT: 'eighty' })] })
    class BadConfigModule {}
    const { logger } = capture();
    const started = createHttpApp(BadConfigModule, {
      name: 's',
      version: '0',
      port: 0,
      host: '127.0.0.1',
      logger,
      docsUi: false,
    });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/SAMPLE_PORT: expected a number, got "eighty"/);
  });

  it('rejects on a dependency-injection error, and logs it', async () => {
    @Module({ providers: [NeedsMissing] })
    class BrokenModule {}
    const { logger, errors } = capture();
    await expect(
      createHttpApp(BrokenModule, {
        name: 's',
        version: '0',
        port: 0,
        host: '127.0.0.1',
        logger,
        docsUi: false,
      }),
    ).rejects.toThrow(/MISSING/);
    expect(errors().join('\n')).toMatch(/MISSING/);
  });
});
