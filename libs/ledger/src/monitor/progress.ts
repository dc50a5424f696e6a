import type { EntryProgress } from './entries-check.js';

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressPrinter {
  readonly update: (progress: EntryProgress) => void;
  /** Ends the updating line, if one was drawn. */
  readonly done: () => void;
}

/** A terminal gets one line redrawn in place; a log file gets a line every 5 % or 10 s. */
export function progressPrinter(sink: ProgressSink, now: () => number = Date.now): ProgressPrinter {
  const tty = sink.isTTY === true;
  // The clock starts at the first entry, so the rate is the entries' alone.
  let started = 0;
  let lastAt = 0;
  let lastStep = 0;
  let last: EntryProgress | undefined;
  const line = ({ checked, total }: EntryProgress, at: number): string => {
    const seconds = Math.max((at - started) / 1000, 1e-3);
    const rate = checked / seconds;
    const eta = rate > 0 ? (total - checked) / rate : Number.POSITIVE_INFINITY;
    const percent = total === 0 ? 100 : (100 * checked) / total;
    return `entries ${count(checked)} / ${count(total)} (${percent.toFixed(1)} %) · ${count(Math.round(rate))}/s · ETA ${duration(eta)}`;
  };
  return {
    update(progress) {
      const at = now();
      if (last === undefined) [started, lastAt] = [at, at];
      last = progress;
      const finished = progress.checked >= progress.total;
      if (tty) {
        if (!finished && at - lastAt < 100) return;
        sink.write(`\r${line(progress, at)}\u001b[K`);
      } else {
        const step = progress.total === 0 ? 20 : Math.floor((20 * progress.checked) / progress.total);
        if (step <= lastStep && at - lastAt < 10_000) return;
        lastStep = step;
        sink.write(`${line(progress, at)}\n`);
      }
      lastAt = at;
    },
    done() {
      if (tty && last !== undefined) sink.write(`\r${line(last, now())}\u001b[K\n`);
    },
  };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
