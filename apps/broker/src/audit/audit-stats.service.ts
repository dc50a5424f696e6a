import { Injectable } from '@nestjs/common';
import { PrismaService } from '@kyc/platform';

export interface StatsRow {
  day: string;
  bank_id: string;
  enterprise_id: string;
  outcome: string;
  count: number;
}

/** Distribution counts per UTC day × bank × enterprise × outcome, for the dashboard's chart. */
@Injectable()
export class AuditStatsService {
  constructor(private readonly prisma: PrismaService) {}

  async byDay(from: Date, to: Date): Promise<{ data: StatsRow[] }> {
    const rows = await this.prisma.$queryRaw<StatsRow[]>`
      SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
             bank_id, enterprise_id, outcome, count(*)::int AS count
        FROM ledger_entries
       WHERE occurred_at >= ${from} AND occurred_at < ${to}
       GROUP BY 1, 2, 3, 4
       ORDER BY 1, 2, 3, 4`;
    return { data: rows };
  }
}
