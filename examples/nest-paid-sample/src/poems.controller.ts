import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { Paid, PaidWith, type SpendOutcome } from '@netpay/nest-paid';

const POEMS: Readonly<Record<string, { title: string; text: string }>> = {
  p1: { title: 'Low tide', text: 'The harbour empties, gull by gull…' },
  p2: { title: 'Night ferry', text: 'Lights on the water, one per hour…' },
};

/** A third party's content: free listing, one coin per poem. */
@Controller('poems')
export class PoemsController {
  @Get()
  list(): { id: string; title: string; coins: number }[] {
    return Object.entries(POEMS).map(([id, p]) => ({ id, title: p.title, coins: 1 }));
  }

  @Get(':id')
  @Paid(1, { available: (params) => params.id !== undefined && params.id in POEMS })
  read(
    @Param('id') id: string,
    @PaidWith() paid?: SpendOutcome,
  ): { title: string; text: string; receiptId?: string } {
    const poem = POEMS[id];
    if (!poem) throw new NotFoundException();
    return { ...poem, ...(paid ? { receiptId: paid.receipt.receiptId } : {}) };
  }
}
