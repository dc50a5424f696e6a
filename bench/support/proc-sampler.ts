/**
 * CPU and RSS of processes, read from /proc every 200 ms while a phase runs: CPU % is the change of
 * utime + stime over the wall time (100 % = one core), RSS the highest VmRSS seen.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  readonly cpu_percent: number;
  readonly peak_rss_mb: number;
  /** The highest RSS of any one of the name's processes (a cluster's largest worker). */
  readonly peak_process_rss_mb: number;
}

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

/** The ids of a process's direct children (nginx's workers). */
export function childPids(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // Gone between listing and reading.
    }
  }
  return children;
}

export class ProcSampler {
  private readonly startTicks = new Map<number, number>();
  private readonly lastTicks = new Map<number, number>();
  private readonly peakKb = new Map<string, number>();
  private readonly peakProcessKb = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  /** Each name may stand for several processes (nginx's master and workers): their figures are summed. */
  constructor(private readonly pids: Readonly<Record<string, readonly number[]>>) {}

  start(): void {
    this.startedAt = performance.now();
    for (const pid of Object.values(this.pids).flat()) this.startTicks.set(pid, cpuTicks(pid));
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  stop(): Record<string, ProcessUsage> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const usage: Record<string, ProcessUsage> = {};
    for (const [name, pids] of Object.entries(this.pids)) {
      const ticks = pids.reduce((total, pid) => total + (this.lastTicks.get(pid) ?? 0) - (this.startTicks.get(pid) ?? 0), 0);
      usage[name] = {
        cpu_percent: Number(((100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds).toFixed(1)),
        peak_rss_mb: Number(((this.peakKb.get(name) ?? 0) / 1024).toFixed(1)),
        peak_process_rss_mb: Number(((this.peakProcessKb.get(name) ?? 0) / 1024).toFixed(1)),
      };
    }
    return usage;
  }

  private sample(): void {
    for (const [name, pids] of Object.entries(this.pids)) {
      let kb = 0;
      for (const pid of pids) {
        try {
          this.lastTicks.set(pid, cpuTicks(pid));
          const one = rssKb(pid);
          kb += one;
          this.peakProcessKb.set(name, Math.max(this.peakProcessKb.get(name) ?? 0, one));
        } catch {
          // The process has ended (the load generator, at the end of its phase); its last sample stands.
        }
      }
      this.peakKb.set(name, Math.max(this.peakKb.get(name) ?? 0, kb));
    }
  }
}
