import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { VENDOR_STANDING } from '../shared/answer-schemas.js';
import { VendorIdParam } from './vendor-id.param.js';
import { type VendorStandingAnswer, VendorStandings } from './vendor-standings.js';

/** The operator's view of a vendor's fraud standing, and the lift of a suspension (admin token). */
@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(AdminAuthGuard)
export class VendorStandingHttpController {
  constructor(private readonly standings: VendorStandings) {}

  @Get(':vendorId/standing')
  @ApiOperation({ summary: 'A vendor’s fraud strikes and suspension (admin).' })
  @ApiOkResponse({ schema: VENDOR_STANDING })
  @ApiNotFoundResponse({ description: 'VENDOR.NOT_FOUND' })
  standing(@Param() params: VendorIdParam): Promise<VendorStandingAnswer> {
    return this.standings.standing(params.vendorId);
  }

  @Post(':vendorId/reinstate')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary:
      'Lift a fraud suspension (admin): a broker-signed VendorReinstated and lift notice; a vendor not suspended is answered as it is.',
  })
  @ApiOkResponse({ schema: VENDOR_STANDING })
  @ApiNotFoundResponse({ description: 'VENDOR.NOT_FOUND' })
  reinstate(@Param() params: VendorIdParam): Promise<VendorStandingAnswer> {
    return this.standings.reinstate(params.vendorId);
  }
}
