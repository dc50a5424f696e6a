import { monitorLedger, type MonitorOptions, type MonitorReport } from './monitor.js';
import { resolvePins, type PinFlags, type Pins } from './pins.js';
import { emptyMonitorState, MonitorUsageError, readMonitorState, writeMonitorState, type MonitorState, type RememberedCheckpoint } from './state.js';

export interface RunMonitorOptions extends Omit<MonitorOptions, 'pins' | 'remembered'>, PinFlags {
  /** The state file: read at the start, replaced (atomically) only after a fully successful run. */
  readonly statePath: string;
}

export interface MonitorRun {
  /** 0 everything verified, 1 a problem (see `report.problems`), 2 a usage error (see `error`). */
  readonly exitCode: 0 | 1 | 2;
  readonly report?: MonitorReport;
  readonly error?: string;
}

/** What `npm run audit:verify` does: state file in, monitor run, state file out. */
export async function runLedgerMonitor(options: RunMonitorOptions): Promise<MonitorRun> {
  let state: MonitorState | undefined;
  let pins: Pins;
  try {
    state = await readMonitorState(options.statePath);
    pins = resolvePins(options, state);
  } catch (err) {
    if (err instanceof MonitorUsageError) return { exitCode: 2, error: err.message };
    throw err;
  }
  const { report, verified } = await monitorLedger({ ...options, pins, remembered: state?.logs[pins.origin]?.checkpoint });
  if (verified === undefined) return { exitCode: 1, report };
  try {
    await writeMonitorState(options.statePath, remember(state ?? emptyMonitorState(), pins, verified));
  } catch (err) {
    const problem = `cannot write the state file ${options.statePath}: ${err instanceof Error ? err.message : String(err)}`;
    return { exitCode: 1, report: { ...report, ok: false, problems: [...report.problems, problem] } };
  }
  return { exitCode: 0, report };
}

function remember(state: MonitorState, pins: Pins, checkpoint: RememberedCheckpoint): MonitorState {
  const log = { log_key: pins.logKey.text, witnesses: pins.witnesses.map((w) => w.text), quorum: pins.quorum, checkpoint };
  return { ...state, logs: { ...state.logs, [pins.origin]: log } };
}
