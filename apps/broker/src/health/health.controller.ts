import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PrismaService, RedisService } from '@kyc/platform';
import { Public } from '../auth/index.js';
import { BankClientService } from '../banks/index.js';
import { Lifecycle } from './lifecycle.js';

type Check = 'ok' | 'fail';

/** A bank as readiness reports it: never a reason for this instance to be unready. */
type BankCheck = 'ok' | 'closed' | 'unreachable';

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly banks: BankClientService,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready when this instance's own dependencies answer (Postgres, Redis) and it is not draining.
   * Each bank is reported beside them: a closed or unreachable bank must not take every instance out
   * of the load balancer (requests to it answer 503 BANK_* by themselves).
   */
  @Get('readyz')
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: Check; checks: Record<string, Check>; banks: Record<string, BankCheck>; draining?: true }> {
    const [postgres, redis, rows] = await Promise.all([
      this.prisma.$queryRaw`SELECT 1`.then(() => 'ok' as const, () => 'fail' as const),
      this.redis.client.ping().then(() => 'ok' as const, () => 'fail' as const),
      this.prisma.bank.findMany({ orderBy: { id: 'asc' } }).catch(() => []),
    ]);
    const checks: Record<string, Check> = { postgres, redis };
    const banks: Record<string, BankCheck> = {};
    await Promise.all(
      rows.map(async (bank) => {
        banks[bank.id] = bank.status !== 'open' ? 'closed' : await this.banks.discover(bank).then(() => 'ok' as const, () => 'unreachable' as const);
      }),
    );
    const draining = this.lifecycle.draining;
    const status: Check = !draining && postgres === 'ok' && redis === 'ok' ? 'ok' : 'fail';
    res.status(status === 'ok' ? 200 : 503);
    return { status, checks, banks: Object.fromEntries(Object.entries(banks).sort(([a], [b]) => a.localeCompare(b))), ...(draining ? { draining: true as const } : {}) };
  }
}
