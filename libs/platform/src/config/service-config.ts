import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { EnvVar } from './env-var.decorator.js';

/**
 * Variables every NetPay service reads. An app's config class extends it and adds its own;
 * `describeConfig(AppConfig)` then lists both, base first.
 */
export class ServiceConfig {
  @EnvVar({ name: 'HOST', description: 'Interface the HTTP server binds', default: '0.0.0.0' })
  @IsString()
  httpHost!: string;

  @EnvVar({ name: 'PORT', description: 'HTTP port', default: 3000, type: 'integer' })
  @IsInt()
  @Min(0)
  @Max(65535)
  httpPort!: number;

  @EnvVar({
    name: 'HTTP_BODY_LIMIT',
    description: 'Largest accepted request body, bytes',
    default: 65536,
    type: 'integer',
  })
  @IsInt()
  @Min(1024)
  httpBodyLimit!: number;

  @EnvVar({
    name: 'LOG_LEVEL',
    description: 'Least severe level logged: fatal, error, warn, log, debug, verbose',
    default: 'log',
  })
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  logLevel!: string;

  @EnvVar({
    name: 'LOG_FORMAT',
    description: 'json (one object per line) or pretty (plain text)',
    default: 'json',
  })
  @IsIn(['json', 'pretty'])
  logFormat!: string;

  @EnvVar({
    name: 'NATS_URL',
    description: 'NATS servers, comma-separated',
    default: 'nats://127.0.0.1:4222',
    type: 'url-list',
    protocols: ['nats:', 'tls:'],
  })
  natsServers!: string[];

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis for the hot index cache and Idempotency-Key records',
    default: 'redis://127.0.0.1:6379',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    secret: true, // may carry a password
  })
  redisUrl!: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'Prefix of every Redis key this service writes',
    default: 'netpay:',
  })
  @IsString()
  redisKeyPrefix!: string;
}
