import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The broker's Prometheus metrics. Labels are low-cardinality and never carry ids or personal data:
 * routes are patterns (`/v1/verifications/:id`), banks are slugs, problems are codes.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'kyc_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'kyc_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly problems = new Counter({
    name: 'kyc_problems_total',
    help: 'Problem answers, by code (refusals before any bank call are counted here, not in the ledger)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly bankCalls = new Histogram({
    name: 'kyc_bank_call_duration_seconds',
    help: 'Outbound calls to banks through flow control, by bank and outcome',
    labelNames: ['bank', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly ledgerAppends = new Counter({
    name: 'kyc_ledger_appends_total',
    help: 'Ledger entries appended, by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ledgerBatchSize = new Histogram({
    name: 'kyc_ledger_batch_entries',
    help: 'Entries written per ledger group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });

  readonly ledgerCommitSeconds = new Histogram({
    name: 'kyc_ledger_commit_seconds',
    help: 'Time of one ledger group commit (the database part), by attempts needed',
    labelNames: ['attempts'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kyc_' });
  }
}
