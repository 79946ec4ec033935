import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { VendorEngine } from '../engine/vendor-engine.js';

/**
 * An unpaid route through the same Nest/Fastify stack as the paid ones (router, global pipe,
 * exception filter, HTTP metrics, a route parameter, a small JSON body): what a request costs
 * before any payment work. Load tests put it beside the paid routes (load-tests/noop.js) so
 * the ratio shows what the payment path itself costs.
 */
@ApiTags('diagnostics')
@Controller('noop')
export class NoopHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Get(':id')
  @ApiOkResponse({ description: '{ vendorId, id }: nothing is verified, recorded or signed' })
  noop(@Param('id') id: string): { vendorId: string; id: string } {
    return { vendorId: this.engine.vendorId, id };
  }
}
