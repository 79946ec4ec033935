// A child process that sends HTTP requests for a bench, so that the bench process's CPU is the
// server's alone. Started with `fork`; each message is a batch to send, `inFlight` at a time,
// answered with every response's status, body and latency. Stops when its parent disconnects.
import { performance } from 'node:perf_hooks';

export interface ClientRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface ClientBatch {
  readonly baseUrl: string;
  readonly inFlight: number;
  readonly requests: readonly ClientRequest[];
}

export interface ClientResponse {
  readonly status: number;
  readonly text: string;
  readonly ms: number;
}

async function send(batch: ClientBatch): Promise<ClientResponse[]> {
  const responses = new Array<ClientResponse>(batch.requests.length);
  await Promise.all(
    Array.from({ length: batch.inFlight }, async (_, w) => {
      for (let i = w; i < batch.requests.length; i += batch.inFlight) {
        const { method, path, headers, body } = batch.requests[i]!;
        const start = performance.now();
        const res = await fetch(batch.baseUrl + path, { method, headers, ...(body ? { body } : {}) });
        const text = await res.text();
        responses[i] = { status: res.status, text, ms: performance.now() - start };
      }
    }),
  );
  return responses;
}

if (process.send) {
  process.on('message', (batch: ClientBatch) => {
    send(batch).then(
      (responses) => process.send?.({ ok: true, responses }),
      (error: unknown) => process.send?.({ ok: false, error: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
