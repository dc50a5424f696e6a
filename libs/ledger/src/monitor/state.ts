import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurably } from '../durable-file.js';
import { HASH_HEX } from '../merkle.js';

/**
 * What a monitor remembers between runs, per log origin: the keys it was told to trust (never
 * learnt from the log) and the last checkpoint it verified. The remembered checkpoint is what makes
 * a rewritten, re-signed history visible: the next checkpoint must extend it.
 */
export class MonitorUsageError extends Error {
  readonly code = 'MONITOR_USAGE';
}

const rememberedCheckpointSchema = z.object({
  size: z.number().int().min(0),
  root_hash: z.string().regex(HASH_HEX),
  /** The whole signed note, cosignatures included: evidence to show if the log later forks. */
  note: z.string().min(1),
  verified_at: z.iso.datetime(),
});

const logStateSchema = z.object({
  log_key: z.string().min(1),
  witnesses: z.array(z.string().min(1)),
  quorum: z.number().int().min(0),
  checkpoint: rememberedCheckpointSchema.optional(),
});

export const monitorStateSchema = z.object({
  version: z.literal(1),
  logs: z.record(z.string(), logStateSchema),
});

export type RememberedCheckpoint = z.infer<typeof rememberedCheckpointSchema>;
export type MonitoredLogState = z.infer<typeof logStateSchema>;
export type MonitorState = z.infer<typeof monitorStateSchema>;

export function emptyMonitorState(): MonitorState {
  return { version: 1, logs: {} };
}

/** Undefined when the file does not exist yet (the first run); a usage error when it is not a state file. */
export async function readMonitorState(path: string): Promise<MonitorState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw new MonitorUsageError(`cannot read the state file ${path}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MonitorUsageError(`the state file ${path} is not JSON`, { cause: err });
  }
  const parsed = monitorStateSchema.safeParse(json);
  if (!parsed.success) throw new MonitorUsageError(`the state file ${path} is not a ledger monitor state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Replaces the state file durably: readers see the old state or the new one, never half. */
export async function writeMonitorState(path: string, state: MonitorState): Promise<void> {
  await writeFileDurably(path, `${JSON.stringify(monitorStateSchema.parse(state), null, 2)}\n`);
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
