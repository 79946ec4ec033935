import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray } from 'class-validator';
import { IsWebOrigins } from '#platform';

export const MAX_SHOP_ORIGINS = 16;

export class SetShopOriginsRequest {
  @ApiProperty({
    type: [String],
    maxItems: MAX_SHOP_ORIGINS,
    example: ['https://cards.example', 'http://127.0.0.1:3102'],
    description:
      'web origins (scheme, host, port) of the pages that may embed the wallet frame for this vendor; [] lets none',
  })
  @IsArray({ message: 'origins must be an array of web origins' })
  @ArrayMaxSize(MAX_SHOP_ORIGINS, { message: `origins holds at most ${MAX_SHOP_ORIGINS} web origins` })
  @IsWebOrigins('origins')
  origins!: string[];
}
