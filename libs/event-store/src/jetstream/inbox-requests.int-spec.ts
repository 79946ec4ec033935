import { randomUUID } from 'node:crypto';
import { testNatsOptions } from '#event-store/testing';
import { afterEach, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventStoreUnavailableError } from '../errors.js';
import { InboxRequests } from './inbox-requests.js';
import { publishToStream } from './jetstream-publish.js';

const body = new TextEncoder().encode('x');

describe('inbox requests', () => {
  const connections: NatsConnection[] = [];
  const open = async (): Promise<NatsConnection> => {
    const nc = await connect(testNatsOptions());
    connections.push(nc);
    return nc;
  };
  const subject = (): string => `test.inbox.${randomUUID().replaceAll('-', '')}`;

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
  });

  it('answers many requests at once, each with its own reply', async () => {
    const nc = await open();
    const echo = subject();
    nc.subscribe(echo, {
      callback: (_, msg) => {
        msg.respond(msg.data);
      },
    });
    await nc.flush();
    const requests = new InboxRequests(nc, 5_000);
    const decoder = new TextDecoder();
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        requests.request<string>(echo, new TextEncoder().encode(String(i)), undefined, (resolve) => (msg) => {
          resolve(decoder.decode(msg.data));
          return true;
        }),
      ),
    );
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    requests.close();
  });

  it('fails a request nobody answers once its time is up', async () => {
    const nc = await open();
    const silent = subject();
    nc.subscribe(silent, { callback: () => undefined }); // listens, never replies
    await nc.flush();
    const requests = new InboxRequests(nc, 150);
    const failure = await requests
      .request(silent, body, undefined, () => () => true)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/no reply within 150 ms/);
    requests.close();
  });

  it('fails what is still waiting when closed', async () => {
    const nc = await open();
    const silent = subject();
    nc.subscribe(silent, { callback: () => undefined });
    await nc.flush();
    const requests = new InboxRequests(nc, 60_000);
    const pending = requests.request(silent, body, undefined, () => () => true).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve)); // sent
    requests.close();
    expect(await pending).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('says so when no JetStream stream takes a published subject', async () => {
    const requests = new InboxRequests(await open(), 5_000);
    const target = subject();
    await expect(publishToStream(requests, target, body)).rejects.toThrow(
      `no JetStream stream takes ${target}`,
    );
    requests.close();
  });
});
