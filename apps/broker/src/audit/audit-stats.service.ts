import { Injectable } from '@nestjs/common';
import { ReadPool } from '@kyc/platform';

const DAY_MS = 86_400_000;
const dayStart = (t: Date): Date => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);

/** The day as days since 1970-01-01 (formatted once per distinct day here, not once per row there). */
type Row = [day: number, bankId: string, enterpriseId: string, outcome: string, count: number];

/**
 * Distribution counts per UTC day × bank × enterprise × outcome, for the dashboard's chart. Whole
 * days come from `ledger_daily_counts` (kept by ledger_append in the same transaction as the
 * entries), so a month is a few hundred rows per enterprise however many entries it holds. Of the
 * partial days at the window's edges, the last one also comes from the counts when the window
 * reaches past the newest entry (the usual "until now"); otherwise, and for the first one, the
 * entries of that part of the day are counted. Tens of thousands of rows: read as plain arrays,
 * sorted here (by code unit, cheaper than the database's collation) and written as JSON text.
 */
@Injectable()
export class AuditStatsService {
  constructor(private readonly pool: ReadPool) {}

  /** The answer's JSON text, `{"data":[{day, bank_id, enterprise_id, outcome, count}…]}`. */
  async byDay(from: Date, to: Date): Promise<string> {
    const wholeFrom = new Date(Math.min(to.getTime(), from.getTime() === dayStart(from).getTime() ? from.getTime() : dayStart(from).getTime() + DAY_MS));
    const wholeTo = new Date(Math.max(wholeFrom.getTime(), dayStart(to).getTime()));
    const counted = (lo: string, hi: string, when: string): string => `
      (SELECT (occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', bank_id, enterprise_id, outcome, count(*)::int
         FROM ledger_entries WHERE occurred_at >= ${lo} AND occurred_at < ${hi} AND ${when}
        GROUP BY 1, 2, 3, 4)`;
    const stored = (where: string): string => `
      (SELECT day - DATE '1970-01-01', bank_id, enterprise_id, outcome, count::int
         FROM ledger_daily_counts WHERE ${where})`;
    const beyondHead = `$2::timestamptz > coalesce((SELECT last_occurred_at FROM ledger_head WHERE id = 1), '-infinity')`;
    const { rows } = await this.pool.query<Row>({
      rowMode: 'array',
      text: [
        counted('$1::timestamptz', '$3::timestamptz', 'TRUE'),
        stored(`day >= ($3::timestamptz AT TIME ZONE 'UTC')::date AND day < ($4::timestamptz AT TIME ZONE 'UTC')::date`),
        stored(`day = ($4::timestamptz AT TIME ZONE 'UTC')::date AND $4::timestamptz < $2::timestamptz AND ${beyondHead}`),
        counted('$4::timestamptz', '$2::timestamptz', `NOT (${beyondHead})`),
      ].join(' UNION ALL '),
      values: [from, to, wholeFrom, wholeTo],
    });
    const days = new Map<number, string>();
    const dayText = (n: number): string => {
      let text = days.get(n);
      if (text === undefined) days.set(n, (text = new Date(n * DAY_MS).toISOString().slice(0, 10)));
      return text;
    };
    const order = (a: Row, b: Row): number => {
      for (let k = 0; k < 4; k++) {
        const [x, y] = [a[k] ?? '', b[k] ?? ''];
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
    rows.sort(order);
    let body = '{"data":[';
    rows.forEach(([day, bankId, enterpriseId, outcome, count], i) => {
      body += `${i === 0 ? '' : ','}{"day":"${dayText(Number(day))}","bank_id":${JSON.stringify(bankId)},"enterprise_id":${JSON.stringify(enterpriseId)},"outcome":${JSON.stringify(outcome)},"count":${count}}`;
    });
    return `${body}]}`;
  }
}
