/**
 * Undo/redo of the builder: snapshots of the graph. Consecutive changes with the same
 * `key` (typing in one field, one delete that removes nodes and edges) within `coalesceMs`
 * become one step.
 */
export class UndoHistory<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | null = null;
  private lastTime = 0;

  constructor(
    private readonly limit = 100,
    private readonly coalesceMs = 1000,
  ) {}

  /** Records the state before a change. Returns false when merged into the previous step. */
  record(previous: T, key?: string, now: number = Date.now()): boolean {
    this.future = [];
    if (key && key === this.lastKey && now - this.lastTime < this.coalesceMs) {
      this.lastTime = now;
      return false;
    }
    this.past.push(previous);
    if (this.past.length > this.limit) this.past.shift();
    this.lastKey = key ?? null;
    this.lastTime = now;
    return true;
  }

  /** The state to go back to (and remembers `current` for redo), or undefined. */
  undo(current: T): T | undefined {
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.future.push(current);
    this.lastKey = null;
    return previous;
  }

  redo(current: T): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(current);
    this.lastKey = null;
    return next;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  clear(): void {
    this.past = [];
    this.future = [];
    this.lastKey = null;
  }
}
