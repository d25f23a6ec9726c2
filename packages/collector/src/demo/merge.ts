/**
 * The merge: people are planned whole as the merge reaches their arrival, and their steps
 * are merged in time order (ties in person order) with a heap that holds only the people
 * still active, so memory depends on how many journeys overlap, not on the size of the
 * data set.
 */

import type { Person, Step } from './plan'

/** A person's step, the `position`-th of their plan. */
export interface MergedStep {
  person: Person
  step: Step
  position: number
}

/**
 * Every step of every person in time order, lazily. `arrivals` are the people's first
 * times, in time order; `plan` plans the `index`-th person.
 */
export function* mergePlans(
  arrivals: Iterator<number>,
  plan: (index: number, arrival: number) => Person,
): Generator<MergedStep, void, undefined> {
  const heap = new PersonHeap()
  let index = 0
  let arrival = arrivals.next()
  for (;;) {
    const top = heap.peek()
    if (!arrival.done && (!top || arrival.value <= (top.steps[top.next] as Step).time)) {
      const person = plan(index++, arrival.value)
      arrival = arrivals.next()
      if (person.steps.length > 0) heap.push(person)
      continue
    }
    if (!top) return
    const position = top.next
    const step = top.steps[position] as Step
    top.next++
    heap.update()
    yield { person: top, step, position }
  }
}

/** A min-heap of active people by (next step time, person index). */
class PersonHeap {
  private readonly items: Person[] = []

  get size(): number {
    return this.items.length
  }

  peek(): Person | undefined {
    return this.items[0]
  }

  push(person: Person): void {
    this.items.push(person)
    this.up(this.items.length - 1)
  }

  /** The top person's key changed (or it is done): restore the heap. */
  update(): void {
    const top = this.items[0] as Person
    if (top.next >= top.steps.length) {
      const last = this.items.pop() as Person
      if (this.items.length === 0 || last === top) return
      this.items[0] = last
    }
    this.down(0)
  }

  private less(a: Person, b: Person): boolean {
    const ta = (a.steps[a.next] as Step).time
    const tb = (b.steps[b.next] as Step).time
    return ta < tb || (ta === tb && a.index < b.index)
  }

  private up(index: number): void {
    const items = this.items
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(items[i] as Person, items[parent] as Person)) break
      ;[items[i], items[parent]] = [items[parent] as Person, items[i] as Person]
      i = parent
    }
  }

  private down(index: number): void {
    const items = this.items
    const n = items.length
    let i = index
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < n && this.less(items[left] as Person, items[smallest] as Person)) smallest = left
      if (right < n && this.less(items[right] as Person, items[smallest] as Person))
        smallest = right
      if (smallest === i) return
      ;[items[i], items[smallest]] = [items[smallest] as Person, items[i] as Person]
      i = smallest
    }
  }
}
