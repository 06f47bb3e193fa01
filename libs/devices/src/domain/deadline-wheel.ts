/**
 * Per-key deadline scheduler: a binary min-heap keyed by deadline, with an id -> node index so a
 * key can be moved or cancelled in O(log n). One entry per key; scheduling an existing key moves
 * it (reusing its node, so rescheduling allocates nothing). Ties fire in scheduling order, which
 * keeps runs deterministic.
 *
 * Why a heap and not a hashed wheel: deadlines here are exact instants (an OFFLINE happens at
 * lastHeartbeat + interval × tolerance, not "in the next slot"), and the adapter arms a single
 * real timer for {@link next}; a heap gives both with no tick granularity.
 */
interface Node {
  readonly id: string;
  at: number;
  seq: number;
  pos: number;
}

export class DeadlineWheel {
  private readonly heap: Node[] = [];
  private readonly nodes = new Map<string, Node>();
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** The deadline scheduled for `id`, if any. */
  deadlineOf(id: string): number | undefined {
    return this.nodes.get(id)?.at;
  }

  /** Sets `id`'s deadline to `at` (epoch ms), inserting or moving it. */
  schedule(id: string, at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`deadline for ${id} must be a finite number, got ${at}`);
    const existing = this.nodes.get(id);
    if (existing) {
      const earlier = at < existing.at;
      existing.at = at;
      existing.seq = this.seq++;
      if (earlier) this.up(existing.pos);
      else this.down(existing.pos);
      return;
    }
    const node: Node = { id, at, seq: this.seq++, pos: this.heap.length };
    this.heap.push(node);
    this.nodes.set(id, node);
    this.up(node.pos);
  }

  /** Removes `id`'s deadline; true if there was one. */
  cancel(id: string): boolean {
    const node = this.nodes.get(id);
    if (!node) return false;
    this.removeAt(node.pos);
    return true;
  }

  /** The earliest deadline, or undefined when nothing is scheduled. O(1). */
  next(): number | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].at;
  }

  /** The id with the earliest deadline, left in place (move it with {@link schedule}). O(1). */
  peek(): string | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].id;
  }

  /** Removes and returns the earliest id whose deadline is `<= now`, or undefined. */
  popDue(now: number): string | undefined {
    const top = this.heap[0];
    if (top === undefined || top.at > now) return undefined;
    this.removeAt(0);
    return top.id;
  }

  /** Removes and returns every id whose deadline is `<= now`, earliest first. */
  due(now: number): string[] {
    const ids: string[] = [];
    for (let id = this.popDue(now); id !== undefined; id = this.popDue(now)) ids.push(id);
    return ids;
  }

  private removeAt(pos: number): void {
    const node = this.heap[pos];
    const last = this.heap.pop() as Node;
    this.nodes.delete(node.id);
    if (last === node) return;
    this.heap[pos] = last;
    last.pos = pos;
    // The moved node may belong above or below its new place.
    this.up(pos);
    this.down(last.pos);
  }

  private less(a: Node, b: Node): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(pos: number): void {
    const heap = this.heap;
    const node = heap[pos];
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = heap[parentPos];
      if (!this.less(node, parent)) break;
      heap[pos] = parent;
      parent.pos = pos;
      pos = parentPos;
    }
    heap[pos] = node;
    node.pos = pos;
  }

  private down(pos: number): void {
    const heap = this.heap;
    const n = heap.length;
    const node = heap[pos];
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right], heap[left]) ? right : left;
      if (!this.less(heap[child], node)) break;
      heap[pos] = heap[child];
      heap[pos].pos = pos;
      pos = child;
    }
    heap[pos] = node;
    node.pos = pos;
  }
}
