import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { apiSchema, object, oneOfValues, str } from '../http/api-schema.js';
import { SERVICE_INFO, type ServiceInfo } from '../service-info.js';
import { HealthRegistry, type ReadinessReport } from './health.registry.js';

const LIVENESS = apiSchema(
  'Liveness',
  object({ status: oneOfValues('ok') }, { service: str(), version: str() }),
);
const READINESS = apiSchema(
  'Readiness',
  object({
    status: oneOfValues('ok', 'unavailable'),
    checks: {
      type: 'object',
      description: 'one entry per dependency',
      additionalProperties: object(
        { status: oneOfValues('up', 'down'), durationMs: { type: 'number', minimum: 0 } },
        { error: str() },
      ),
    },
  }),
);

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Optional() @Inject(SERVICE_INFO) private readonly service?: ServiceInfo,
  ) {}

  /** Liveness: the process answers. Checks no dependency, so a broken Redis does not cause restarts. */
  @Get()
  @ApiOkResponse({ description: 'The process is alive.', schema: LIVENESS })
  live(): { status: 'ok'; service?: string; version?: string } {
    return {
      status: 'ok',
      ...(this.service ? { service: this.service.name, version: this.service.version } : {}),
    };
  }

  /** Readiness: every registered dependency answers; 503 otherwise (the load balancer stops sending). */
  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answers.', schema: READINESS })
  @ApiServiceUnavailableResponse({
    description: 'At least one dependency is down, or the service is shutting down: the same report.',
    content: { 'application/json': { schema: READINESS } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.registry.readiness();
    void reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
