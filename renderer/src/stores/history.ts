/**
 * Undo/redo over snapshots of plain data: every edit records the state before it; undo and redo
 * swap states. Snapshots hold only what edits change (lanes and regions), never audio or peaks.
 */
export class History<T> {
  private readonly past: string[] = [];
  private readonly future: string[] = [];

  constructor(private readonly limit = 200) {}

  record(state: T): void {
    this.past.push(JSON.stringify(state));
    if (this.past.length > this.limit) this.past.shift();
    this.future.length = 0;
  }

  undo(current: T): T | null {
    const previous = this.past.pop();
    if (previous === undefined) return null;
    this.future.push(JSON.stringify(current));
    return JSON.parse(previous) as T;
  }

  redo(current: T): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(JSON.stringify(current));
    return JSON.parse(next) as T;
  }

  clear(): void {
    this.past.length = 0;
    this.future.length = 0;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}
