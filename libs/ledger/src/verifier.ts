/**
 * The independent verifier of SPEC §8, run as a monitor in the Certificate Transparency sense: it
 * uses only the broker's HTTP API, trusts only the keys its operator pinned, remembers the last
 * checkpoint it verified and requires every later one to extend it. The parts live in monitor/.
 */
export { monitorLedger, type MonitorOptions, type MonitorOutcome, type MonitorReport } from './monitor/monitor.js';
export { runLedgerMonitor, type MonitorRun, type RunMonitorOptions } from './monitor/run.js';
export { resolvePins, witnessCount, type PinFlags, type Pins } from './monitor/pins.js';
export {
  emptyMonitorState,
  monitorStateSchema,
  MonitorUsageError,
  readMonitorState,
  writeMonitorState,
  type MonitoredLogState,
  type MonitorState,
  type RememberedCheckpoint,
} from './monitor/state.js';
export { checkCheckpointNote, type CheckedCheckpoint, type CheckpointCheck } from './monitor/checkpoint-check.js';
export { checkEntries, type EntriesCheck, type EntryProgress } from './monitor/entries-check.js';
export { progressPrinter, type ProgressPrinter, type ProgressSink } from './monitor/progress.js';
export { BrokerClient, type BrokerClientOptions, type ExportRow } from './monitor/broker-client.js';
