import { EnvVar, loadConfig, NATS_SUBJECT_PREFIX_PATTERN } from '#config';
import { IsIn, IsInt, IsOptional, IsString, IsTimeZone, Matches, Max, Min } from 'class-validator';

/**
 * The environment of the local stack commands (`npm start`, `npm run demo`, the load seed): where
 * the stack lives and which ports and namespaces its processes get. Read with `loadConfig` like
 * every service's config, so a bad value stops the command with the same kind of message.
 */
export class StackConfig {
  @EnvVar({
    name: 'NETPAY_STACK_DIR',
    description: 'state of the local stack (secrets, logs, NATS); default: `.stack` in the checkout',
  })
  @IsOptional()
  @IsString()
  stackDir?: string;

  @EnvVar({
    name: 'NETPAY_NATS_AUTH_FILE',
    description: 'identities of the local NATS roles (default <NETPAY_STACK_DIR>/nats-auth.json)',
  })
  @IsOptional()
  @IsString()
  natsAuthFile?: string;

  @EnvVar({
    name: 'NATS_URL',
    description: 'NATS of the stack (default: the one `npm run stack:up` started)',
    type: 'url',
    protocols: ['nats:', 'tls:'],
  })
  @IsOptional()
  natsUrl?: string;

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis of the stack',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  redisUrl!: string;

  @EnvVar({
    name: 'REDIS_DURABLE_URL',
    description:
      'a second, durable Redis (deploy/redis/redis-durable.conf) for the broker and the redemption worker; unset: REDIS_URL serves all',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    secret: true,
  })
  @IsOptional()
  durableRedisUrl?: string;

  @EnvVar({ name: 'EVENT_STORE_STREAM', description: 'stream of `npm start`', default: 'NETPAY_EVENTS' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  streamName!: string;

  @EnvVar({ name: 'EVENT_STORE_SUBJECT_PREFIX', description: 'its subject prefix', default: 'netpay.events' })
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
  subjectPrefix!: string;

  @EnvVar({
    name: 'NATS_SUBJECT_PREFIX',
    description: 'broker/vendor subject namespace of `npm start`',
    default: 'netpay',
  })
  @Matches(NATS_SUBJECT_PREFIX_PATTERN)
  natsSubjectPrefix!: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description:
      "Redis key prefix of `npm start`; empty: `netpay:<8 hex>:` from this checkout's stack secrets and its stream, so two checkouts (or two streams) on one Redis never share keys",
    default: '',
  })
  @IsString()
  redisKeyPrefix!: string;

  @EnvVar({ name: 'BROKER_PORT', description: 'HTTP port of the broker', type: 'integer', default: 3000 })
  @IsInt()
  @Min(1)
  @Max(65535)
  brokerPort!: number;

  @EnvVar({
    name: 'REDEMPTION_PORT',
    description: 'HTTP port of the redemption worker',
    type: 'integer',
    default: 3200,
  })
  @IsInt()
  @Min(1)
  @Max(65535)
  redemptionPort!: number;

  @EnvVar({
    name: 'VENDOR_BASE_PORT',
    description: 'HTTP port of the first demo vendor (the others follow)',
    type: 'integer',
    default: 3101,
  })
  @IsInt()
  @Min(1)
  @Max(65500)
  vendorBasePort!: number;

  @EnvVar({
    name: 'CIS_PORT',
    description: "HTTP port of the P2P demo's Central Index Server",
    type: 'integer',
    default: 3300,
  })
  @IsInt()
  @Min(1)
  @Max(65535)
  cisPort!: number;

  @EnvVar({
    name: 'PEER_BASE_PORT',
    description: "HTTP port of the P2P demo's first peer (the others follow)",
    type: 'integer',
    default: 3400,
  })
  @IsInt()
  @Min(1)
  @Max(65500)
  peerBasePort!: number;

  @EnvVar({ name: 'REDEMPTION_TIME_ZONE', description: 'zone of the cut-off', default: 'Pacific/Auckland' })
  @IsTimeZone()
  timeZone!: string;

  // Read by scripts/stack.mjs (`npm run stack:up`, which npm start, the demo and the tests run),
  // which checks them the same way before anything starts.

  @EnvVar({
    name: 'NETPAY_NATS_PORT',
    description:
      'port of the stack’s own nats-server when a NATS without our identities holds the configured one (the next nine are tried too)',
    type: 'integer',
    default: 4223,
  })
  @IsInt()
  @Min(1)
  @Max(65526)
  natsPort!: number;

  @EnvVar({
    name: 'NETPAY_NATS_BUILD',
    description:
      '1: build a pinned nats-server 2.11 with Go into the stack directory (fsync before each ack)',
  })
  @IsOptional()
  @IsIn(['0', '1'])
  natsBuild?: string;

  @EnvVar({
    name: 'NETPAY_NATS_SYNC',
    description: 'periodic: a 2.10+ server fsyncs every 60 s, as 2.9 does (for measurements)',
  })
  @IsOptional()
  @IsIn(['periodic'])
  natsSync?: string;

  @EnvVar({
    name: 'NETPAY_NATS_PROF_PORT',
    description: 'opens nats-server’s Go profiler on 127.0.0.1 at this port (for measurements)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  natsProfPort?: number;

  @EnvVar({
    name: 'NATS_SERVER_BIN',
    description: 'the nats-server binary to start (default: nats-server on PATH)',
  })
  @IsOptional()
  @IsString()
  natsServerBin?: string;

  @EnvVar({
    name: 'REDIS_SERVER_BIN',
    description: 'the redis-server binary to start (default: redis-server on PATH)',
  })
  @IsOptional()
  @IsString()
  redisServerBin?: string;
}

let loaded: StackConfig | undefined;

/** The stack commands' configuration, loaded once from the environment. */
export function stackConfig(): StackConfig {
  loaded ??= loadConfig(StackConfig);
  return loaded;
}
