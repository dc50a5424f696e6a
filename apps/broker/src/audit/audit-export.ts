import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { canonicalJson, type LedgerEntry } from '@kyc/ledger';
import { PrismaService } from '@kyc/platform';
import { AuditEntriesService } from './audit-entries.service.js';
import type { EntryFilter } from './audit.dto.js';

/** The entry fields in SPEC §8 order: the CSV header. */
export const CSV_COLUMNS = [
  'seq', 'type', 'occurred_at', 'enterprise_id', 'bank_id', 'verification_id', 'purpose', 'outcome',
  'request_id', 'subject_ref', 'claims', 'verification_process', 'commitments', 'error_code',
] as const;

const PAGE = 1_000;

function csvField(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (Array.isArray(value)) text = value.map(String).join(' ');
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = canonicalJson(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(entry: LedgerEntry): string {
  const record = entry as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS.map((c) => csvField(record[c])).join(',')}\r\n`;
}

/**
 * Streams the filtered history oldest first, a page at a time with backpressure, so memory stays
 * flat however many rows match.
 */
@Injectable()
export class AuditExport {
  constructor(
    private readonly prisma: PrismaService,
    private readonly entries: AuditEntriesService,
  ) {}

  async stream(filter: Omit<EntryFilter, 'limit' | 'cursor'>, format: 'csv' | 'ndjson', res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="ledger-export.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') await write(res, `${CSV_COLUMNS.join(',')}\r\n`);
    const where = await this.entries.where(filter);
    let after: bigint | undefined;
    for (;;) {
      const rows = await this.prisma.ledgerEntry.findMany({
        where: after === undefined ? where : { AND: [where, { seq: { gt: after } }] },
        orderBy: { seq: 'asc' },
        take: PAGE,
        select: { seq: true, entry: true, leafHash: true },
      });
      if (rows.length === 0 || res.destroyed) break;
      const chunk = rows
        .map((r) => (format === 'csv' ? csvLine(JSON.parse(r.entry) as LedgerEntry) : `{"entry":${r.entry},"leaf_hash":"${r.leafHash}"}\n`))
        .join('');
      await write(res, chunk);
      after = rows.at(-1)?.seq;
      if (rows.length < PAGE) break;
    }
    res.end();
  }
}

function write(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.write(chunk)) resolve();
    else {
      res.once('drain', resolve);
      res.once('close', resolve);
    }
  });
}
