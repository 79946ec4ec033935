import { describe, expect, it } from '@jest/globals';
import { KeyedQueue, StreamHeads } from '../jetstream/stream-heads.js';
import { AsyncQueue } from './async-queue.js';

async function drain<T>(queue: AsyncIterable<T>, take: number): Promise<T[]> {
  const out: T[] = [];
  for await (const item of queue) {
    out.push(item);
    if (out.length === take) break;
  }
  return out;
}

describe('AsyncQueue', () => {
  it('hands items over in order, pauses the producer at the high-water mark and resumes it at half', async () => {
    const flow: string[] = [];
    const queue = new AsyncQueue<number>(4, {
      pause: () => flow.push('pause'),
      resume: () => flow.push('resume'),
    });
    for (let i = 0; i < 4; i++) queue.push(i);
    expect(flow).toEqual(['pause']);
    let roomy = false;
    const room = queue.room().then(() => (roomy = true));
    await Promise.resolve();
    expect(roomy).toBe(false);
    expect(await drain(queue, 2)).toEqual([0, 1]);
    await room;
    expect(flow).toEqual(['pause', 'resume']);
  });

  it('hands over everything queued as one chunk, and lets the producer go on once it is taken', async () => {
    const flow: string[] = [];
    const queue = new AsyncQueue<number>(4, {
      pause: () => flow.push('pause'),
      resume: () => flow.push('resume'),
    });
    for (let i = 0; i < 5; i++) queue.push(i);
    const chunks = queue.chunks();
    expect((await chunks.next()).value).toEqual([0, 1, 2, 3, 4]);
    expect(flow).toEqual(['pause', 'pause', 'resume']);
    await queue.room();
    // Waiting for the next chunk: what is pushed before the consumer runs again comes in it.
    const next = chunks.next();
    queue.push(5);
    queue.push(6);
    expect((await next).value).toEqual([5, 6]);
    queue.end();
    expect((await chunks.next()).done).toBe(true);
  });

  it('ends cleanly, or with the error it failed with', async () => {
    const ended = new AsyncQueue<number>();
    ended.push(1);
    ended.end();
    expect(await drain(ended, 10)).toEqual([1]);
    const failed = new AsyncQueue<number>();
    setTimeout(() => failed.fail(new Error('connection lost')), 5);
    await expect(drain(failed, 10)).rejects.toThrow('connection lost');
  });
});

describe('KeyedQueue and StreamHeads', () => {
  it('runs tasks for one key one at a time, even when one fails, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async (): Promise<string> => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.run('a', task('a1', true)),
      queue.run('a', task('a2')),
      queue.run('b', task('b1')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('never moves a head backwards and forgets the oldest stream past its capacity', () => {
    const heads = new StreamHeads(2);
    heads.remember('s1', { revision: 3, seq: 30, prior: [] });
    heads.remember('s1', { revision: 2, seq: 20, prior: [] });
    expect(heads.get('s1')).toEqual({ revision: 3, seq: 30, prior: [] });
    heads.remember('s2', { revision: 0, seq: 31, prior: [] });
    heads.remember('s3', { revision: 0, seq: 32, prior: [] });
    expect(heads.get('s1')).toBeUndefined();
    expect(heads.get('s3')).toEqual({ revision: 0, seq: 32, prior: [] });
  });
});
