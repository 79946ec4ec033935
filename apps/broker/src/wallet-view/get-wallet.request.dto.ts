import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class GetWalletQuery {
  @ApiPropertyOptional({
    description: 'wait until the view includes this global position (from a purchase answer)',
  })
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'minPosition must be a non-negative integer' })
  minPosition?: string;
}
