import type { Acquisition } from '@touchline/shared'
import type { DerivedSession } from '../store/store'

/** One touch of a person: a session's acquisition, or an offline touch. */
export interface PersonTouch {
  /** The session's start, or the offline touch's time. */
  time: number
  /** The session's last visit; equal to `time` for an offline touch. */
  end: number
  acquisition: Acquisition
  /** An offline touch (`touch` event), not a session. */
  offline: boolean
  /** The session's device: its anonymous ID (null for server-side visits and offline touches). */
  anonymousId: string | null
}

const OFFLINE = 1
/** The touch is a current session of its device, or an offline touch. */
const CURRENT = 2
/** The touch is in a person's journey. */
const PLACED = 4

/**
 * Every touch of a project's journeys, by number, in flat typed arrays: what the journey
 * engine keeps of each session (its start, last visit, reach and acquisition) and offline
 * touch, instead of objects. A number is given back for reuse once it is neither a current
 * session of its device nor placed in a journey (`retire`, `unplace`). Acquisitions are
 * kept once each: the sessions of one landing and campaign share a number.
 */
export class TouchTable {
  private times = new Float64Array(1_024)
  private ends = new Float64Array(1_024)
  private reaches = new Float64Array(1_024)
  /** A session's `seq` (the row id that opened it); 0 for an offline touch. */
  private seqs = new Float64Array(1_024)
  private acquisitionIds = new Int32Array(1_024)
  private flags = new Uint8Array(1_024)
  private readonly anonymousIds: (string | null)[] = []
  /**
   * A session's SDK session id (null: found by the rules, or an offline touch), as UTF-16
   * code units in one pool rather than a string each: millions of strings held for the
   * whole run made every full garbage collection longer.
   */
  private readonly sessionIds = new SessionIdPool()
  private readonly free: number[] = []
  private size = 0
  private readonly acquisitions: Acquisition[] = []
  private readonly byContent = new Map<string, number>()
  private readonly byObject = new WeakMap<Acquisition, number>()

  /** A new touch, current (a session of its device, or an offline touch). */
  add(
    time: number,
    end: number,
    reach: number,
    acquisition: Acquisition,
    offline: boolean,
    anonymousId: string | null,
    sessionId: string | null = null,
    seq = 0,
  ): number {
    const touch = this.free.pop() ?? this.grow()
    this.times[touch] = time
    this.ends[touch] = end
    this.reaches[touch] = reach
    this.seqs[touch] = seq
    this.acquisitionIds[touch] = this.acquisitionId(acquisition)
    this.flags[touch] = CURRENT | (offline ? OFFLINE : 0)
    this.anonymousIds[touch] = anonymousId
    this.sessionIds.set(touch, sessionId)
    return touch
  }

  /** The touch is no longer a session of its device (its number is reused once unplaced). */
  retire(touch: number): void {
    this.clear(touch, CURRENT)
  }

  place(touch: number): void {
    this.flags[touch] = (this.flags[touch] as number) | PLACED
  }

  /** The touch is out of its person's journey (its number is reused once retired). */
  unplace(touch: number): void {
    this.clear(touch, PLACED)
  }

  time(touch: number): number {
    return this.times[touch] as number
  }

  end(touch: number): number {
    return this.ends[touch] as number
  }

  reach(touch: number): number {
    return this.reaches[touch] as number
  }

  sessionId(touch: number): string | null {
    return this.sessionIds.get(touch)
  }

  /** The number of the touch's acquisition (< `acquisitionCount`). */
  acquisitionIdOf(touch: number): number {
    return this.acquisitionIds[touch] as number
  }

  acquisition(id: number): Acquisition {
    return this.acquisitions[id] as Acquisition
  }

  get acquisitionCount(): number {
    return this.acquisitions.length
  }

  offline(touch: number): boolean {
    return ((this.flags[touch] as number) & OFFLINE) !== 0
  }

  /** A session's touch as the session it was added from (its acquisition the same object). */
  session(touch: number): DerivedSession {
    return {
      id: this.sessionId(touch),
      seq: this.seqs[touch] as number,
      start: this.time(touch),
      end: this.end(touch),
      acquisition: this.acquisition(this.acquisitionIdOf(touch)),
    }
  }

  /** The touch as an object (for a person's journey). */
  touch(touch: number): PersonTouch {
    return {
      time: this.time(touch),
      end: this.end(touch),
      acquisition: this.acquisition(this.acquisitionIdOf(touch)),
      offline: this.offline(touch),
      anonymousId: this.anonymousIds[touch] ?? null,
    }
  }

  private clear(touch: number, flag: number): void {
    const flags = (this.flags[touch] as number) & ~flag
    this.flags[touch] = flags
    if ((flags & (CURRENT | PLACED)) === 0) {
      this.anonymousIds[touch] = null
      this.sessionIds.set(touch, null)
      this.free.push(touch)
    }
  }

  private acquisitionId(acquisition: Acquisition): number {
    const known = this.byObject.get(acquisition)
    if (known !== undefined) return known
    const content = contentOf(acquisition)
    let id = this.byContent.get(content)
    if (id === undefined) {
      id = this.acquisitions.length
      this.acquisitions.push(acquisition)
      this.byContent.set(content, id)
    }
    this.byObject.set(acquisition, id)
    return id
  }

  private grow(): number {
    const touch = this.size++
    if (touch === this.times.length) {
      const capacity = 2 * touch
      this.times = grown(this.times, new Float64Array(capacity))
      this.ends = grown(this.ends, new Float64Array(capacity))
      this.reaches = grown(this.reaches, new Float64Array(capacity))
      this.seqs = grown(this.seqs, new Float64Array(capacity))
      this.acquisitionIds = grown(this.acquisitionIds, new Int32Array(capacity))
      this.flags = grown(this.flags, new Uint8Array(capacity))
    }
    return touch
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from)
  return to
}

/** Every field of an acquisition, as one string (equal for equal acquisitions). */
function contentOf(a: Acquisition): string {
  return [
    a.source,
    a.medium,
    a.campaign,
    a.content,
    a.term,
    a.landingPage,
    a.clickId ?? '',
    a.channel ?? '\u0001',
  ].join('\u0000')
}

/** Strings by touch number, their code units in one growing pool, compacted when half stale. */
class SessionIdPool {
  private chars = new Uint16Array(16_384)
  /** Per touch: where its id starts in `chars`, and its length (-1: none). */
  private starts = new Int32Array(1_024)
  private lengths = new Int32Array(1_024).fill(-1)
  private used = 0
  private live = 0

  get(touch: number): string | null {
    const length = touch < this.lengths.length ? (this.lengths[touch] as number) : -1
    if (length < 0) return null
    const start = this.starts[touch] as number
    return String.fromCharCode.apply(
      null,
      this.chars.subarray(start, start + length) as unknown as number[],
    )
  }

  set(touch: number, id: string | null): void {
    if (touch >= this.lengths.length) this.growTouches(touch + 1)
    const before = this.lengths[touch] as number
    if (before >= 0) this.live -= before
    if (id === null) {
      this.lengths[touch] = -1
      return
    }
    if (this.used + id.length > this.chars.length) this.makeRoom(id.length)
    const start = this.used
    for (let i = 0; i < id.length; i++) this.chars[start + i] = id.charCodeAt(i)
    this.starts[touch] = start
    this.lengths[touch] = id.length
    this.used += id.length
    this.live += id.length
  }

  private growTouches(needed: number): void {
    const capacity = Math.max(needed, 2 * this.lengths.length)
    const starts = new Int32Array(capacity)
    starts.set(this.starts)
    const lengths = new Int32Array(capacity).fill(-1)
    lengths.set(this.lengths)
    this.starts = starts
    this.lengths = lengths
  }

  /** Room for `more` code units: the live ids copied into a pool twice their size. */
  private makeRoom(more: number): void {
    const chars = new Uint16Array(Math.max(this.chars.length, 2 * (this.live + more)))
    let used = 0
    for (let touch = 0; touch < this.lengths.length; touch++) {
      const length = this.lengths[touch] as number
      if (length < 0) continue
      const start = this.starts[touch] as number
      chars.set(this.chars.subarray(start, start + length), used)
      this.starts[touch] = used
      used += length
    }
    this.chars = chars
    this.used = used
  }
}
