import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { leaseStanding } from '#event-store';
import { NetPayError } from '#platform';
import { isBusinessDay } from '../domain/business-day.js';
import type { PlannedBatch } from '../night/batch-sealer.js';
import type { NightReport } from '../night/redemption-night.js';
import type { BatchProgress, Earnings } from '../projection/redemption-view.js';
import type { RedemptionWorker } from '../redemption-worker.js';
import { REDEMPTION_WORKER } from '../tokens.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { DAY_VIEW, NIGHT_REPORT } from './answer-schemas.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class RunNightRequest {
  @ApiPropertyOptional({
    example: '2026-03-10',
    description: 'business day; the one before today when omitted',
  })
  @IsOptional()
  @Matches(DAY, { message: 'day must be YYYY-MM-DD' })
  day?: string;
}

export class DayParam {
  @ApiProperty({ example: '2026-03-10' })
  @Matches(DAY, { message: 'day must be YYYY-MM-DD' })
  day!: string;
}

export interface DayView {
  readonly businessDay: string;
  /** What the next seal would hold for this day and earlier unsealed days. */
  readonly planned: readonly PlannedBatch[];
  /** Value spent per vendor on the day (sealed or not). */
  readonly earned: Readonly<Record<string, Earnings>>;
  /** Sealed batches still to verify or pay. */
  readonly open: readonly BatchProgress[];
}

/** Operator calls: run a night now (idempotent), look at a day. */
@ApiTags('redemption')
@ApiBearerAuth()
@Controller('redemption')
@UseGuards(AdminAuthGuard)
export class NightsHttpController {
  constructor(@Inject(REDEMPTION_WORKER) private readonly worker: RedemptionWorker) {}

  @Post('nights')
  @HttpCode(200)
  @ApiOkResponse({
    description: 'The night’s report: batches sealed, each batch’s outcome, failures to retry.',
    schema: NIGHT_REPORT,
  })
  @ApiBadRequestResponse({ description: 'REDEMPTION.INVALID_DAY (not a calendar date)' })
  @ApiConflictResponse({
    description:
      'EVENT_STORE.CONCURRENCY: a vendor-day stream kept changing under the seal (vendors’ claims landing); ' +
      'nothing of that seal was written, run the night again',
  })
  @ApiUnprocessableEntityResponse({
    description: 'REDEMPTION.DAY_IN_FUTURE: the day has not begun in REDEMPTION_TIME_ZONE; nothing sealed.',
  })
  @ApiServiceUnavailableResponse({
    description:
      'REDEMPTION.NOT_LEADER: a standby; ask the leader. EVENT_STORE.UNAVAILABLE: the store is away (this worker ' +
      'could not renew its lease). REDEMPTION.PROJECTION_BEHIND: the read model did not reach the log’s head ' +
      'within REDEMPTION_CATCH_UP_TIMEOUT (or is restarting). REDEMPTION.PROJECTION_INCONSISTENT: a seal in the ' +
      'store the read model does not know, even after it was rebuilt; nothing sealed. LEASE.NOT_HELD: this ' +
      'worker lost its lease during the night (its next write was refused); what was written stands, run the ' +
      'night again (at the leader). Retry later',
  })
  run(@Body() body: RunNightRequest): Promise<NightReport> {
    assertLeader(this.worker);
    return this.worker.night.run(body.day === undefined ? undefined : calendarDay(body.day));
  }

  @Get('days/:day')
  @ApiOkResponse({ description: 'What the projection holds for a business day.', schema: DAY_VIEW })
  @ApiBadRequestResponse({ description: 'REDEMPTION.INVALID_DAY (not a calendar date)' })
  @ApiServiceUnavailableResponse({
    description:
      'REDEMPTION.PROJECTION_BEHIND: the read model did not reach the log’s head within 5 s; retry',
  })
  async day(@Param() params: DayParam): Promise<DayView> {
    const day = calendarDay(params.day);
    await this.worker.projection.waitUntilCaughtUp(5_000);
    const view = this.worker.projection.view;
    return {
      businessDay: day,
      planned: await this.worker.sealer.preview(day),
      earned: Object.fromEntries(await view.earnedOn(day)),
      open: await view.openBatches(),
    };
  }
}

/** The one check of a day both routes take: `YYYY-MM-DD` and a real date (not 2026-02-30). */
function calendarDay(day: string): string {
  if (!isBusinessDay(day)) {
    throw new NetPayError('REDEMPTION.INVALID_DAY', `${day} is not a calendar date`, { status: 400 });
  }
  return day;
}

/**
 * A standby (another instance holds the lease) does not run nights: 503, ask the leader. A leader
 * whose lease lapsed because it could not renew it (the store away) says so: 503, retry later.
 */
export function assertLeader(worker: RedemptionWorker): void {
  const standing = leaseStanding(worker.fence);
  if (standing === 'lapsed')
    throw new NetPayError(
      'EVENT_STORE.UNAVAILABLE',
      'This worker could not renew its lease in time: the event store is away or slow. Retry shortly.',
      { status: 503 },
    );
  if (standing === 'not-held')
    throw new NetPayError(
      'REDEMPTION.NOT_LEADER',
      'This instance is a standby: another redemption worker holds the lease and runs the nights.',
      { status: 503 },
    );
}
