// fetch against a listening app: jest's module loader cannot load Fastify's `inject`
// (light-my-request needs the ESM-only `cookie` through require).

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface TestRequest {
  body?: unknown;
  /** Sent as is, with content-type application/json (for broken JSON). */
  raw?: string;
  headers?: Record<string, string>;
}

export function httpClient(baseUrl: string) {
  return async (method: string, path: string, request: TestRequest = {}): Promise<TestResponse> => {
    const hasBody = request.body !== undefined || request.raw !== undefined;
    const response = await fetch(baseUrl + path, {
      method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}
