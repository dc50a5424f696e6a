import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BROKER_CONFIG, PrismaService, type BrokerConfig } from '@kyc/platform';
import { IDEMPOTENCY_TTL_MS, VerificationsService } from './verifications.service.js';

/**
 * Ends what has run out, even when nobody asks: pending verifications past `expires_at`, and
 * authorized ones past `access_expires_at`, whose sealed tokens and applicant data are deleted, and
 * tells their enterprises. Each end is conditional, so any number of broker instances can run it.
 * It also deletes idempotency records past their 24 hours, and those of verifications that have
 * ended (their personal data is gone, so the record of the request that made them goes too).
 */
const DELETE_SPENT_IDEMPOTENCY = `DELETE FROM idempotency_records r
WHERE r.created_at <= $1
   OR EXISTS (SELECT 1 FROM verifications v WHERE v.id = r.response->>'id' AND v.status NOT IN ('pending', 'authorized'))`;

@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly verifications: VerificationsService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.sweep().catch((err: unknown) =>
        this.logger.warn({ err: err instanceof Error ? err.message : 'unknown' }, 'expiry sweep failed'),
      );
    }, this.config.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops before the database goes away, and lets a sweep in flight finish. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now = new Date()): Promise<number> {
    const due = await this.prisma.verification.findMany({
      where: {
        OR: [
          { status: 'pending', expiresAt: { lte: now } },
          { status: 'authorized', accessExpiresAt: { lte: now } },
        ],
      },
      take: 500,
    });
    let ended = 0;
    for (const row of due) if ((await this.verifications.expire(row, now)) !== undefined) ended++;
    await this.prisma.pool.query(DELETE_SPENT_IDEMPOTENCY, [new Date(now.getTime() - IDEMPOTENCY_TTL_MS)]);
    return ended;
  }
}
