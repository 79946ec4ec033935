// A tiny app exercising the platform glue, for the platform's own HTTP tests.
import {
  Body,
  Controller,
  Get,
  type DynamicModule,
  Module,
  Param,
  Post,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Min } from 'class-validator';
import { NetPayError } from '../../errors/netpay-error.js';
import { Idempotent } from '../../idempotency/idempotent.decorator.js';
import { IdempotencyModule, type IdempotencyModuleOptions } from '../../idempotency/idempotency.module.js';
import { RpcReplyInterceptor } from '../../nats/rpc-reply.interceptor.js';
import { PlatformModule } from '../../platform.module.js';

export class BuyChainDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  coins!: number;

  @ApiProperty()
  @IsString()
  currency!: string;
}

/** Counts executions, so tests see whether a retry ran the command again. */
export class Executions {
  count = 0;
  /** NATS requests this replica handled. */
  rpc = 0;
  release: () => void = () => undefined;
  gate: Promise<void> = Promise.resolve();
  /** Resolves when a held request has reached the handler. */
  entered: Promise<void> = Promise.resolve();
  enter: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
    this.entered = new Promise((resolve) => (this.enter = resolve));
  }
}

@Controller('chains')
class ChainsController {
  constructor(private readonly executions: Executions) {}

  @Post()
  @Idempotent()
  async buy(@Body() dto: BuyChainDto): Promise<{ chainId: string; coins: number }> {
    this.executions.enter();
    await this.executions.gate;
    this.executions.count += 1;
    return { chainId: `chain-${this.executions.count}`, coins: dto.coins };
  }

  /** An answer holding a secret (as a client-side wallet's seed): never kept at rest. */
  @Post('seed')
  @Idempotent({ storeAnswer: false })
  seed(@Body() dto: BuyChainDto): { seed: string; coins: number } {
    this.executions.count += 1;
    return { seed: `secret-seed-${dto.coins}`, coins: dto.coins };
  }

  @Post('spend')
  @Idempotent()
  spend(): never {
    this.executions.count += 1;
    throw new NetPayError('SPEND.PAYWORD_REPLAYED', 'payword 3 of chain-1 was already spent', {
      status: 409,
      details: { chainId: 'chain-1', index: 3 },
    });
  }

  @Get('by-id/:chainId')
  byId(@Param('chainId') chainId: string): { chainId: string } {
    return { chainId };
  }

  /** A route that sends Fastify's own not-found, as a static-file route does for a missing file. */
  @Get('files/:name')
  file(@Res() reply: FastifyReply): void {
    reply.callNotFound();
  }

  @Get('boom')
  boom(): never {
    throw new Error('connection string redis://:hunter2@cache failed');
  }

  @MessagePattern('sample.buy')
  @UseInterceptors(RpcReplyInterceptor)
  buyOverNats(@Payload() dto: BuyChainDto): { coins: number } {
    this.executions.rpc += 1;
    if (dto.currency === 'XXX')
      throw new NetPayError('PURCHASE.CURRENCY_UNKNOWN', 'currency XXX is not sold', { status: 422 });
    return { coins: dto.coins };
  }
}

@Controller()
class SlowController {
  /** Answers after the caller's time-out: for `RPC.TIMEOUT`. */
  @MessagePattern('sample.slow')
  @UseInterceptors(RpcReplyInterceptor)
  async slow(): Promise<{ late: true }> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { late: true };
  }
}

export function sampleAppModule(
  idempotency: IdempotencyModuleOptions,
  imports: DynamicModule[] = [],
): DynamicModule {
  @Module({})
  class SampleAppModule {}
  return {
    module: SampleAppModule,
    imports: [
      PlatformModule.forRoot({ name: 'sample', version: '0.0.1' }),
      ...imports,
      IdempotencyModule.forRoot(idempotency),
    ],
    controllers: [ChainsController, SlowController],
    providers: [Executions],
  };
}
