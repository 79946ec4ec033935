import { Body, Controller, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiRefusalCodes, apiSchema, arrayOf, Idempotent, object, str } from '#platform';
import { VendorRegistrationGuard } from '../register-vendor/vendor-registration.guard.js';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import { type ShopOriginsAnswer, ShopOriginsHandler } from './shop-origins.handler.js';
import { SetShopOriginsRequest } from './shop-origins.request.dto.js';

const SHOP_ORIGINS = apiSchema(
  'ShopOrigins',
  object({
    vendorId: str({ pattern: '^[A-Za-z0-9_]{1,64}$' }),
    origins: arrayOf(str({ description: 'a web origin' }), { description: 'sorted, no repeats' }),
  }),
);

/** The origins that may embed the wallet frame for a vendor (admin token, or the vendor's registration token). */
@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(VendorRegistrationGuard)
export class ShopOriginsHttpController {
  constructor(private readonly handler: ShopOriginsHandler) {}

  @Put(':vendorId/shop-origins')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary:
      'Set the web origins of a vendor’s shop (admin, or the vendor’s registration token): only their pages may embed the wallet frame for it.',
  })
  @ApiOkResponse({ schema: SHOP_ORIGINS })
  @ApiRefusalCodes({ 404: ['VENDOR.NOT_FOUND'] })
  set(@Param() params: VendorIdParam, @Body() body: SetShopOriginsRequest): Promise<ShopOriginsAnswer> {
    return this.handler.set(params.vendorId, body.origins);
  }
}
