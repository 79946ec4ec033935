import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Matches, Min, ValidateNested } from 'class-validator';
import { MAX_CLAIM_ITEMS, type SubmittedClaim } from '../claims/vendor-claims.js';
import type { RedemptionWorker } from '../redemption-worker.js';
import { REDEMPTION_WORKER } from '../tokens.js';
import { SUBMITTED_CLAIM } from './answer-schemas.js';

const ID = /^[A-Za-z0-9_]{1,64}$/;
const ID_MESSAGE = { message: '$property must be 1-64 characters of A-Z a-z 0-9 _' };

export class ClaimItemDto {
  @ApiProperty()
  @Matches(ID, ID_MESSAGE)
  chainId!: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  fromIndex!: number;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  toIndex!: number;

  @ApiProperty({ description: 'W[toIndex], lowercase hex' })
  @Matches(/^([0-9a-f]{32}|[0-9a-f]{64})$/, {
    message: 'proofPayword must be 16 or 32 bytes of lowercase hex',
  })
  proofPayword!: string;
}

export class VendorClaimRequest {
  @ApiProperty()
  @Matches(ID, ID_MESSAGE)
  vendorId!: string;

  @ApiProperty({ example: '2026-03-10' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'businessDay must be YYYY-MM-DD' })
  businessDay!: string;

  @ApiProperty({ description: 'chosen by the vendor; the same id is the same claim' })
  @Matches(ID, ID_MESSAGE)
  claimId!: string;

  @ApiProperty({ type: [ClaimItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CLAIM_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ClaimItemDto)
  items!: ClaimItemDto[];

  @ApiProperty()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'vendorKeyId is not a key id' })
  vendorKeyId!: string;

  @ApiProperty({ description: 'Ed25519 over the canonical claim (netpay/redemption-claim/v1), hex' })
  @Matches(/^[0-9a-f]{128}$/, { message: 'signature must be 64 bytes of lowercase hex' })
  signature!: string;
}

/**
 * A vendor's own claim for a day, signed with its registered key. Accepted for the next night
 * (202): sealed as it is, verified item by item like every batch.
 */
@ApiTags('redemption')
@Controller('redemption/claims')
export class ClaimsHttpController {
  constructor(@Inject(REDEMPTION_WORKER) private readonly worker: RedemptionWorker) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: '{batchId, stream, created}: sealed for the next night (created false: a retry).',
    schema: SUBMITTED_CLAIM,
  })
  @ApiBadRequestResponse({ description: 'REDEMPTION.CLAIM_INVALID' })
  @ApiUnauthorizedResponse({ description: 'REDEMPTION.CLAIM_SIGNATURE_INVALID' })
  @ApiNotFoundResponse({ description: 'REDEMPTION.VENDOR_NOT_FOUND' })
  @ApiConflictResponse({
    description:
      'REDEMPTION.CLAIM_ID_REUSED: this claim id was sealed with other items. EVENT_STORE.CONCURRENCY: the ' +
      'vendor-day stream kept changing under the claim (nothing written); send it again',
  })
  submit(@Body() body: VendorClaimRequest): Promise<SubmittedClaim> {
    return this.worker.claims.submit(body);
  }
}
