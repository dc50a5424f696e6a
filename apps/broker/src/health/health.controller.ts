import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PrismaService, RedisService } from '@kyc/platform';
import { Public } from '../auth/index.js';
import { BankClientService } from '../banks/index.js';

type Check = 'ok' | 'fail';

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly banks: BankClientService,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready when Postgres and Redis answer and every bank's discovery document is cached and fresh. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: Check; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = {
      postgres: await this.prisma.$queryRaw`SELECT 1`.then(() => 'ok' as const, () => 'fail' as const),
      redis: await this.redis.client.ping().then(() => 'ok' as const, () => 'fail' as const),
    };
    const banks = await this.prisma.bank.findMany().catch(() => []);
    for (const bank of banks) {
      checks[`bank:${bank.id}`] = await this.banks.discover(bank).then(() => 'ok' as const, () => 'fail' as const);
    }
    const status: Check = Object.values(checks).every((c) => c === 'ok') ? 'ok' : 'fail';
    res.status(status === 'ok' ? 200 : 503);
    return { status, checks };
  }
}
