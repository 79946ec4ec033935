// The broker as a process of its own whose bank call never comes back: `after-charge` (the bank
// charged, the answer is lost) or `before-charge` (the bank was never reached). The
// reconciliation test starts it, waits for its line on stdout and kills it with SIGKILL, so the
// purchase stays recorded without an outcome. Args: mode, event stream name, subject prefix;
// the broker's configuration comes from the environment (shared with the test's own broker).
import { JetStreamEventStore, stackNats } from '#event-store';
import { SystemClock } from '#platform';
import type {
  DeclineReason,
  MandateRequest,
  MandateResult,
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from '../bank/payment-gateway.port.js';
import { SimulatedBank } from '../bank/simulated-bank.js';
import { startBroker, testBrokerConfig } from './broker-harness.js';

type Mode = 'after-charge' | 'before-charge';

class StallingGateway implements PaymentGateway {
  constructor(
    private readonly bank: PaymentGateway,
    private readonly mode: Mode,
  ) {}

  async charge(request: PaymentRequest): Promise<PaymentResult> {
    if (this.mode === 'after-charge') {
      await this.bank.charge(request);
      process.stdout.write(`CHARGED ${request.reference}\n`);
    } else process.stdout.write(`CHARGING ${request.reference}\n`);
    return new Promise<PaymentResult>(() => undefined); // the answer never comes
  }

  payout(request: PaymentRequest): Promise<PaymentResult> {
    return this.bank.payout(request);
  }

  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    return this.bank.voidPayment(request);
  }

  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    return this.bank.payoutRefusal(account, currency);
  }

  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.bank.verifyMandate(request);
  }
}

const [mode, streamName, subjectPrefix] = process.argv.slice(2);
if ((mode !== 'after-charge' && mode !== 'before-charge') || !streamName || !subjectPrefix) {
  throw new Error('usage: stalling-broker after-charge|before-charge <stream> <subject prefix>');
}
// The test created the streams; this process only connects, as the broker role.
const { url, identity } = stackNats('broker');
const store = await JetStreamEventStore.connect({ streamName, subjectPrefix, servers: url, ...identity });
const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
const config = testBrokerConfig({ ...env, PURCHASE_RECONCILE_INTERVAL: '0' });
const bank = new SimulatedBank(store, new SystemClock(), config.bankMaxCharge);
const broker = await startBroker({ store, config, paymentGateway: new StallingGateway(bank, mode) });
process.stdout.write(`LISTENING ${await broker.app.getUrl()}\n`);
