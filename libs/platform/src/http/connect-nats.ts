import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { type NatsOptions, Transport } from '@nestjs/microservices';
import { natsReconnectOptions } from '../reconnect/reconnect-policy.js';

export interface ConnectNatsOptions {
  servers: string | string[];
  /** Queue group: replicas of one service share the requests instead of each answering. */
  queue: string;
  /** Connection name shown in the NATS server's monitoring. */
  name?: string;
}

/**
 * Attach the NATS transport so `@MessagePattern` / `@EventPattern` handlers run, with the app's
 * global pipe and filter (validation errors and coded errors become `{ error }` replies), and
 * start listening. Call after `createHttpApp` set them up (its `configure` hook is a good place).
 */
export async function connectNats(
  app: INestApplication,
  options: ConnectNatsOptions,
): Promise<INestMicroservice> {
  const microservice = app.connectMicroservice<NatsOptions>(
    {
      transport: Transport.NATS,
      // Reconnects forever: nats.js gives up after 10 attempts (~20 s) by default, and then the
      // handlers are gone until someone restarts the process.
      options: {
        ...natsReconnectOptions(),
        servers: options.servers,
        queue: options.queue,
        name: options.name,
      },
    },
    { inheritAppConfig: true },
  );
  await microservice.listen();
  return microservice;
}
