import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { brokerKeys, eventStoreSettingsFromEnv, signingKeyFromPrivate } from '@netpay/nest-paid';
import { AppModule } from './app.module.js';

/**
 * A plain NestJS app selling poems through `@netpay/nest-paid`. Environment: VENDOR_ID,
 * VENDOR_KEY (Ed25519 private key, hex), BROKER_PUBLIC_KEYS (keyId:hex,...), NATS_URL,
 * NATS_USER/NATS_PASSWORD (the vendor's NATS identity), REDIS_URL, PORT.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const vendorId = required('VENDOR_ID');
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      vendorId,
      signingKey: signingKeyFromPrivate(`${vendorId}-1`, required('VENDOR_KEY')),
      brokerKeys: brokerKeys(required('BROKER_PUBLIC_KEYS')),
      accepted: { currency: process.env.ACCEPT_CURRENCY ?? 'NZD', coinValue: 5 },
      handOffTimeoutMs: 1_000,
      natsServers: required('NATS_URL'),
      natsIdentity: {
        ...(process.env.NATS_USER ? { user: process.env.NATS_USER } : {}),
        ...(process.env.NATS_PASSWORD ? { pass: process.env.NATS_PASSWORD } : {}),
      },
      eventStore: eventStoreSettingsFromEnv(process.env),
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    }),
    new FastifyAdapter(),
  );
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3300), '127.0.0.1');
  console.log(`poems on ${await app.getUrl()}/poems`);
}

main().catch((error: unknown) => {
  console.error('sample app failed to start:', error);
  process.exit(1);
});
