import type { FastifyInstance } from 'fastify';
import type { RequestObserver } from '../logging/request-log.js';
import type { MetricsService } from './metrics.service.js';

/**
 * Count and time every HTTP answer by route pattern (not raw URL, which would give one series
 * per chain id). Unmatched URLs share the route label `unmatched`.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: MetricsService): RequestObserver {
  const requests = metrics.counter('http_requests_total', 'HTTP requests answered.', [
    'method',
    'route',
    'status',
  ]);
  const duration = metrics.histogram('http_request_duration_seconds', 'Time to answer HTTP requests.', [
    'method',
    'route',
  ]);
  const end: RequestObserver['end'] = (request, reply, durationMs) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    duration.observe(durationMs / 1000, { method: request.method, route });
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply, reply.elapsedTime);
    done();
  });
  return { end };
}
