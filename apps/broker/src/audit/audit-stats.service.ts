import { Injectable } from '@nestjs/common';
import { PrismaService } from '@kyc/platform';

export interface StatsRow {
  day: string;
  bank_id: string;
  enterprise_id: string;
  outcome: string;
  count: number;
}

const DAY_MS = 86_400_000;
const dayStart = (t: Date): Date => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);

/**
 * Distribution counts per UTC day × bank × enterprise × outcome, for the dashboard's chart. Whole
 * days come from `ledger_daily_counts` (kept by ledger_append in the same transaction as the
 * entries), so a month is a few hundred rows however many entries it holds; the partial days at the
 * window's edges are counted from the entries themselves.
 */
@Injectable()
export class AuditStatsService {
  constructor(private readonly prisma: PrismaService) {}

  async byDay(from: Date, to: Date): Promise<{ data: StatsRow[] }> {
    const wholeFrom = from.getTime() === dayStart(from).getTime() ? from : new Date(dayStart(from).getTime() + DAY_MS);
    const wholeTo = dayStart(to);
    const rows: StatsRow[] = [];
    if (wholeFrom < wholeTo) {
      rows.push(...(await this.prisma.$queryRaw<StatsRow[]>`
        SELECT to_char(day, 'YYYY-MM-DD') AS day, bank_id, enterprise_id, outcome, count::int AS count
          FROM ledger_daily_counts
         WHERE day >= ${wholeFrom}::date AND day < ${wholeTo}::date`));
      if (from < wholeFrom) rows.push(...(await this.counted(from, wholeFrom)));
      if (wholeTo < to) rows.push(...(await this.counted(wholeTo, to)));
    } else {
      rows.push(...(await this.counted(from, to)));
    }
    const key = (r: StatsRow): string => `${r.day}\u0000${r.bank_id}\u0000${r.enterprise_id}\u0000${r.outcome}`;
    return { data: rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
  }

  /** Counts over the entries of [from, to), less than a day at each edge. */
  private counted(from: Date, to: Date): Promise<StatsRow[]> {
    return this.prisma.$queryRaw<StatsRow[]>`
      SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
             bank_id, enterprise_id, outcome, count(*)::int AS count
        FROM ledger_entries
       WHERE occurred_at >= ${from} AND occurred_at < ${to}
       GROUP BY 1, 2, 3, 4`;
  }
}
