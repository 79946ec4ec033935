import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, type Clock, SystemClock } from './clock.js';

/** Provides `CLOCK` everywhere: the system clock, or the one a test hands in. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
