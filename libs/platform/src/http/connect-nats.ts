import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { HealthRegistry } from '../health/health.registry.js';
import type { NatsIdentityOptions } from '../nats/nats-identity.js';
import { NetPayNatsServer } from '../nats/netpay-nats-server.js';
import { natsReconnectOptions } from '../reconnect/reconnect-policy.js';

export interface ConnectNatsOptions {
  servers: string | string[];
  /** Queue group: replicas of one service share the requests instead of each answering. */
  queue: string;
  /** Connection name shown in the NATS server's monitoring. */
  name?: string;
  /** The service's NATS identity (`natsIdentityOptions(config)`). */
  identity?: NatsIdentityOptions;
}

/**
 * Attach the NATS transport so `@MessagePattern` / `@EventPattern` handlers run, with the app's
 * global pipe and filter (errors outside a handler become `{ ok: false, error }` replies; message
 * controllers use `@UseInterceptors(RpcReplyInterceptor)` for the one envelope of their answers), and
 * start listening. Call after `createHttpApp` set them up (its `configure` hook is a good place).
 */
export async function connectNats(
  app: INestApplication,
  options: ConnectNatsOptions,
): Promise<INestMicroservice> {
  // Nest's NATS server, except that malformed requests are answered (see NetPayNatsServer).
  const strategy = new NetPayNatsServer({
    ...natsReconnectOptions(),
    ...options.identity,
    servers: options.servers,
    queue: options.queue,
    name: options.name,
  });
  const microservice = app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await microservice.listen();
  // The transport has a connection of its own, which comes back after an outage on its own
  // schedule: until it has, nothing answers the service's requests, so the service is not ready.
  const health = healthOf(app);
  health?.register('nats-transport', async () => {
    const nc = strategy.unwrap<NatsConnection>();
    if (nc.isClosed()) throw new Error('the NATS transport is closed');
    await nc.flush();
  });
  return microservice;
}

function healthOf(app: INestApplication): HealthRegistry | undefined {
  try {
    return app.get(HealthRegistry, { strict: false });
  } catch {
    return undefined; // an app without the health module
  }
}
