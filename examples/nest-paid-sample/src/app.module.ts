import { type DynamicModule, Module } from '@nestjs/common';
import { NetPayModule, type NetPayOptions } from '@netpay/nest-paid';
import { PoemsController } from './poems.controller.js';

/** The documented lines: NetPayModule.forRoot(...) in `imports`, @Paid on a route. Nothing else. */
@Module({})
export class AppModule {
  static forRoot(netpay: NetPayOptions): DynamicModule {
    return { module: AppModule, imports: [NetPayModule.forRoot(netpay)], controllers: [PoemsController] };
  }
}
