// Timers owned by the simulated world, so that closing the simulator stops every one of them.

export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();
  set(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.live.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    this.live.add(t);
    return t;
  }
  clear(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.live.delete(t);
  }
  clearAll(): void {
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }
}
