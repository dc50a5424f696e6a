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

const PAGE = 500;

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": a leading `=`, `+`, `-`, `@`,
 * tab or carriage return) gets a leading `'`, which spreadsheets show as text. The CSV is for people;
 * the NDJSON export carries the entries byte for byte, with their leaf hashes.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (Array.isArray(value)) text = value.map(String).join(' ');
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = canonicalJson(value);
  if (typeof value !== 'number' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(entry: LedgerEntry): string {
  const record = entry as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS.map((c) => csvField(record[c])).join(',')}\r\n`;
}

/**
 * Streams the filtered history oldest first, a page at a time with backpressure, so memory stays
 * flat however many rows match: each page is one query for plain text columns (no ORM objects),
 * written before the next is read.
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
    const where = await this.entries.whereSql(filter);
    let after = -1n;
    for (;;) {
      const rows = await this.prisma.$queryRaw<{ seq: bigint; entry: string; leaf_hash: string }[]>`
        SELECT seq, entry, leaf_hash FROM ledger_entries WHERE ${where} AND seq > ${after} ORDER BY seq LIMIT ${PAGE}`;
      const last = rows.at(-1)?.seq;
      if (last === undefined || res.destroyed) break;
      let chunk = '';
      for (const r of rows) chunk += format === 'csv' ? csvLine(JSON.parse(r.entry) as LedgerEntry) : `{"entry":${r.entry},"leaf_hash":"${r.leaf_hash}"}\n`;
      await write(res, chunk);
      after = last;
      if (rows.length < PAGE) break;
    }
    res.end();
  }
}

/** Resolves when `res` can take more (or is gone); removes its listeners either way. */
function write(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.write(chunk)) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
