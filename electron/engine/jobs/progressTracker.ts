import type { JobContext } from '../../contract/rpcServer';

/**
 * Reports a job's progress through weighted stages with an ETA from the pace so far.
 * `stages` maps each stage to its share of the whole job's time (shares need not sum to 1).
 */
export class ProgressTracker {
  private readonly started = Date.now();
  private readonly offsets = new Map<string, number>();
  private readonly total: number;

  constructor(private readonly job: JobContext, private readonly stages: Record<string, number>) {
    let offset = 0;
    for (const [stage, weight] of Object.entries(stages)) {
      this.offsets.set(stage, offset);
      offset += weight;
    }
    this.total = offset;
  }

  /** `within` is 0..1 through the named stage. */
  report(stage: string, within: number, detail?: string): void {
    const offset = this.offsets.get(stage);
    if (offset === undefined) throw new Error(`unknown progress stage ${stage}`);
    const fraction = Math.min(1, Math.max(0, (offset + (this.stages[stage] ?? 0) * within) / this.total));
    const elapsed = (Date.now() - this.started) / 1000;
    const etaSeconds = fraction > 0.02 && elapsed > 0.2 ? (elapsed * (1 - fraction)) / fraction : null;
    this.job.report({ stage, fraction, etaSeconds, detail });
  }
}

/** Lets queued messages (a cancel above all) through between synchronous steps. */
export function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
