import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { BANK_ACCOUNT, BANK_ACCOUNT_OPENED } from '../shared/answer-schemas.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { BankAccountParam, OpenBankAccountRequest } from './bank-admin.request.dto.js';
import { type BankAccountView, SimulatedBank } from './simulated-bank.js';

/** Operator calls on the SIMULATED bank (absent with a real bank behind the PaymentGateway port). */
@ApiTags('simulated bank')
@ApiBearerAuth()
@Controller('bank/accounts')
@UseGuards(AdminAuthGuard)
export class BankAdminHttpController {
  constructor(private readonly bank: SimulatedBank) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary:
      'Open an account with a balance (admin). The answer shows its `mandate` once: the owner proves ' +
      'control of the account with it when registering (`POST /customers`); the bank keeps only its hash.',
  })
  @ApiCreatedResponse({ description: 'Opened; the mandate is shown only here.', schema: BANK_ACCOUNT_OPENED })
  @ApiConflictResponse({ description: 'BANK.ACCOUNT_EXISTS' })
  async open(@Body() body: OpenBankAccountRequest): Promise<BankAccountView & { mandate: string }> {
    const opened = await this.bank.openAccount(body);
    if (!opened) throw brokerError(BROKER_ERROR.BANK_ACCOUNT_EXISTS, `account ${body.accountId} exists`, 409);
    return { ...(await this.view(body.accountId)), mandate: opened.mandate };
  }

  @Get(':accountId')
  @ApiOperation({ summary: 'Balance and state of an account (admin).' })
  @ApiOkResponse({ description: 'The account.', schema: BANK_ACCOUNT })
  @ApiNotFoundResponse({ description: 'BANK.ACCOUNT_NOT_FOUND' })
  get(@Param() params: BankAccountParam): Promise<BankAccountView> {
    return this.view(params.accountId);
  }

  @Post(':accountId/close')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Close an account: later charges are declined (admin).' })
  @ApiOkResponse({ description: 'The account, closed.', schema: BANK_ACCOUNT })
  @ApiNotFoundResponse({ description: 'BANK.ACCOUNT_NOT_FOUND' })
  async close(@Param() params: BankAccountParam): Promise<BankAccountView> {
    await this.bank.closeAccount(params.accountId);
    return this.view(params.accountId);
  }

  private async view(accountId: string): Promise<BankAccountView> {
    const account = await this.bank.account(accountId);
    if (!account) throw brokerError(BROKER_ERROR.BANK_ACCOUNT_NOT_FOUND, `no account ${accountId}`, 404);
    return account;
  }
}
