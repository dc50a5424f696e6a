import { Injectable } from '@nestjs/common';
import { MetricsService, ProblemError, toProblem, type Bank } from '@kyc/platform';

/**
 * Every outbound bank call passes here. Today it refuses calls to a closed bank and turns transport
 * failures (timeouts, refused connections) into BANK_UNAVAILABLE; the global per-bank rate and
 * concurrency limits and the circuit breaker of SPEC §7 belong in this one place.
 */
@Injectable()
export class FlowControl {
  constructor(private readonly metrics: MetricsService) {}

  async run<T>(bank: Bank, call: () => Promise<T>): Promise<T> {
    if (bank.status !== 'open') throw new ProblemError('BANK_CLOSED', `${bank.name} is closed for maintenance.`);
    const timer = this.metrics.bankCalls.startTimer({ bank: bank.id });
    try {
      const result = await call();
      timer({ outcome: 'ok' });
      return result;
    } catch (err) {
      const failure = isTransportFailure(err)
        ? new ProblemError('BANK_UNAVAILABLE', `${bank.name} did not answer in time.`, { retryAfterSeconds: 5, cause: err })
        : err;
      timer({ outcome: toProblem(failure).code.toLowerCase() });
      throw failure;
    }
  }
}

function isTransportFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  const cause = (err as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return err.message === 'fetch failed' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}
