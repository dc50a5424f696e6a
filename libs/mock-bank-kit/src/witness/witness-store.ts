import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HASH_HEX, writeFileDurably } from '@kyc/ledger';
import { z } from 'zod';

const recordSchema = z.strictObject({
  origin: z.string().min(1),
  size: z.number().int().min(0),
  root_hash: z.string().regex(HASH_HEX),
  /** The cosigned checkpoint: the log's verified signatures and the witness's cosignature. */
  note: z.string().min(1),
});

/** The latest checkpoint a witness verified and cosigned for one log. */
export type WitnessRecord = z.infer<typeof recordSchema>;

/** SHA-256 of the origin, lowercase hex: the file name here and the log's id in the monitoring URL. */
export function originHash(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

/**
 * One JSON file per log in the state directory (created on first write). Each write lands whole or
 * not at all: a temporary file, fsync, rename over the old one, fsync of the directory.
 */
export class WitnessStore {
  constructor(readonly dir: string) {}

  async read(origin: string): Promise<WitnessRecord | undefined> {
    const record = await this.readByHash(originHash(origin));
    if (record && record.origin !== origin) throw new Error(`the witness state file of ${originHash(origin)} holds another origin`);
    return record;
  }

  /**
   * A file that is present but unreadable throws instead of reading as "never seen": a witness that
   * forgot a log would cosign a rolled-back one.
   */
  async readByHash(hash: string): Promise<WitnessRecord | undefined> {
    if (!HASH_HEX.test(hash)) return undefined;
    let text: string;
    try {
      text = await readFile(this.fileOf(hash), 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    const parsed = recordSchema.safeParse(parseJson(text));
    if (!parsed.success) throw new Error(`the witness state file of ${hash} is not a witness record`);
    return parsed.data;
  }

  async write(record: WitnessRecord): Promise<void> {
    const valid = recordSchema.parse(record);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileDurably(this.fileOf(originHash(valid.origin)), `${JSON.stringify(valid)}\n`);
  }

  private fileOf(hash: string): string {
    return path.join(this.dir, `${hash}.json`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
