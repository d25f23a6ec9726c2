/**
 * The identity graph kept current as evidence arrives (PRODUCT.md §5), resolved one
 * connected component at a time. Identifiers that evidence names together — the anonymous
 * ID, userId and email of a link; an alias's userId and its previousId (as a userId and as an
 * anonymous ID) — are one component, and the rules of `resolveIdentities` read nothing
 * beyond a component: resolving each alone gives the graph of all of them at once. New
 * evidence re-resolves only the components it names (merged when it joins several), and says
 * which identifiers changed person, so that only their journeys are placed again.
 */
import { normaliseEmail } from './email'
import {
  type AliasLink,
  anonKey,
  emailKey,
  type Identification,
  type IdentityDecision,
  type IdentityGraph,
  type IdentityGraphInput,
  type IdentityGraphOptions,
  type IdentityLink,
  type Person,
  resolveIdentities,
  userKey,
} from './graph'
import { isUsableId } from './ids'
import { rootOf } from './union-find'

/** What new evidence changed (`IdentityResolver.add`). */
export interface IdentityChanges {
  /** Identifier keys whose person changed, or that gained or lost one. */
  identifiers: Set<string>
  /** Anonymous IDs whose shared-device identifications changed (or that became, or stopped being, shared). */
  sharedDevices: Set<string>
}

interface Component {
  links: IdentityLink[]
  aliases: AliasLink[]
  /** What its resolution put in the graph: identifier keys, shared anonymous IDs, persons. */
  identifiers: string[]
  sharedDevices: string[]
  persons: Person[]
}

export class IdentityResolver {
  /** Identifier keys by number, and the union-find of the numbers. */
  private readonly ids = new Map<string, number>()
  private readonly parent: number[] = []
  /** Each component with evidence, at its root's number. */
  private readonly components: (Component | undefined)[] = []
  private readonly personByIdentifier = new Map<string, string>()
  private readonly sharedDevices = new Map<string, readonly Identification[]>()
  /** When each person was first identified (the earliest link naming their userId or email). */
  readonly firstIdentified = new Map<string, number>()
  /** Every link and alias, for the decisions (resolved again, whole, when asked for). */
  private readonly links: IdentityLink[] = []
  private readonly aliases: AliasLink[] = []
  private persons: Person[] | undefined
  /** Whether the components are found (`index`). */
  private indexed = false
  private decisions: IdentityDecision[] | undefined

  constructor(private readonly options: IdentityGraphOptions = {}) {}

  /** The graph as resolved so far; its maps are this resolver's, kept current by `add`. */
  get graph(): IdentityGraph {
    const resolver = this
    return {
      get persons() {
        resolver.persons ??= resolver.components
          .flatMap((component) => component?.persons ?? [])
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        return resolver.persons
      },
      get decisions() {
        resolver.decisions ??= resolveIdentities(
          { links: resolver.links, aliases: resolver.aliases },
          resolver.options,
        ).decisions
        return resolver.decisions
      },
      personByIdentifier: this.personByIdentifier,
      sharedDevices: this.sharedDevices,
    }
  }

  /** Adds evidence and resolves the components it names again. */
  add(input: IdentityGraphInput): IdentityChanges {
    const changes: IdentityChanges = { identifiers: new Set(), sharedDevices: new Set() }
    const links = input.links
    const aliases = input.aliases ?? []
    if (links.length === 0 && aliases.length === 0) return changes
    const first = this.links.length === 0 && this.aliases.length === 0
    if (!first && !this.indexed) this.index(this.links, this.aliases)
    // One at a time: a spread of 200k arguments overflows the stack.
    for (const link of links) this.links.push(link)
    for (const alias of aliases) this.aliases.push(alias)
    this.decisions = undefined
    if (first) {
      this.resolveAll(changes)
      return changes
    }
    this.persons = undefined
    for (const component of this.place(links, aliases)) this.resolveComponent(component, changes)
    return changes
  }

  /**
   * The first evidence, resolved at once: one resolution of everything is much cheaper than
   * one per component, and gives the same graph. The components are found when more
   * evidence comes (`index`), not before: a start reads the graph alone.
   */
  private resolveAll(changes: IdentityChanges): void {
    const graph = resolveIdentities({ links: this.links, aliases: this.aliases }, this.options)
    for (const [key, person] of graph.personByIdentifier) {
      this.personByIdentifier.set(key, person)
      changes.identifiers.add(key)
    }
    for (const [anonymousId, identifications] of graph.sharedDevices) {
      this.sharedDevices.set(anonymousId, identifications)
      changes.sharedDevices.add(anonymousId)
    }
    this.persons = graph.persons
    this.noteFirstIdentified(this.links)
  }

  /** The components of the evidence resolved so far, with what each holds of the graph. */
  private index(links: readonly IdentityLink[], aliases: readonly AliasLink[]): void {
    this.indexed = true
    this.place(links, aliases)
    const componentOf = (key: string) =>
      this.components[this.root(this.ids.get(key) as number)] as Component
    for (const key of this.personByIdentifier.keys()) componentOf(key).identifiers.push(key)
    for (const anonymousId of this.sharedDevices.keys()) {
      componentOf(anonKey(anonymousId)).sharedDevices.push(anonymousId)
    }
    for (const person of this.persons ?? []) componentOf(person.key).persons.push(person)
  }

  /** Puts evidence in its components (joining those it names); the components it went to. */
  private place(links: readonly IdentityLink[], aliases: readonly AliasLink[]): Set<Component> {
    /** Each piece of evidence with one of its keys' numbers (its component once merged). */
    const placed: { id: number; link?: IdentityLink; alias?: AliasLink }[] = []
    for (const link of links) {
      const id = this.join(linkKeys(link))
      if (id !== undefined) placed.push({ id, link })
    }
    for (const alias of aliases) {
      const id = this.join(aliasKeys(alias))
      if (id !== undefined) placed.push({ id, alias })
    }
    const components = new Set<Component>()
    for (const { id, link, alias } of placed) {
      const component = this.componentAt(this.root(id))
      if (link) component.links.push(link)
      if (alias) component.aliases.push(alias)
      components.add(component)
    }
    return components
  }

  /** The component's graph resolved again, replacing what it held; changes noted. */
  private resolveComponent(component: Component, changes: IdentityChanges): void {
    const before = new Map<string, string | undefined>()
    for (const key of component.identifiers) {
      before.set(key, this.personByIdentifier.get(key))
      this.personByIdentifier.delete(key)
    }
    const sharedBefore = new Map<string, readonly Identification[] | undefined>()
    for (const anonymousId of component.sharedDevices) {
      sharedBefore.set(anonymousId, this.sharedDevices.get(anonymousId))
      this.sharedDevices.delete(anonymousId)
    }
    for (const person of component.persons) this.firstIdentified.delete(person.key)

    const graph = resolveIdentities(
      { links: component.links, aliases: component.aliases },
      this.options,
    )
    component.identifiers = [...graph.personByIdentifier.keys()]
    component.sharedDevices = [...graph.sharedDevices.keys()]
    component.persons = graph.persons
    for (const [key, person] of graph.personByIdentifier) {
      this.personByIdentifier.set(key, person)
      if (before.get(key) !== person) changes.identifiers.add(key)
      before.delete(key)
    }
    for (const key of before.keys()) changes.identifiers.add(key)
    for (const [anonymousId, identifications] of graph.sharedDevices) {
      this.sharedDevices.set(anonymousId, identifications)
      if (!sameIdentifications(sharedBefore.get(anonymousId), identifications)) {
        changes.sharedDevices.add(anonymousId)
      }
      sharedBefore.delete(anonymousId)
    }
    for (const anonymousId of sharedBefore.keys()) changes.sharedDevices.add(anonymousId)
    this.noteFirstIdentified(component.links)
  }

  private noteFirstIdentified(links: readonly IdentityLink[]): void {
    for (const link of links) {
      const person = identifiedPerson(this.personByIdentifier, link)
      if (person === undefined) continue
      const known = this.firstIdentified.get(person)
      if (known === undefined || link.timestamp < known) {
        this.firstIdentified.set(person, link.timestamp)
      }
    }
  }

  /** Joins the keys into one component (new keys numbered); one key's number. */
  private join(keys: readonly string[]): number | undefined {
    const [first, ...rest] = keys
    if (first === undefined) return undefined
    const id = this.idOf(first)
    for (const key of rest) this.union(id, this.idOf(key))
    return id
  }

  private idOf(key: string): number {
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.parent.length
      this.ids.set(key, id)
      this.parent.push(id)
    }
    return id
  }

  /** The component at a root (made when evidence first comes to it). */
  private componentAt(root: number): Component {
    let component = this.components[root]
    if (!component) {
      component = { links: [], aliases: [], identifiers: [], sharedDevices: [], persons: [] }
      this.components[root] = component
    }
    return component
  }

  private root(id: number): number {
    return rootOf(this.parent, id)
  }

  /** Merges two components: the larger keeps its root, and takes the smaller's evidence. */
  private union(a: number, b: number): void {
    let ra = this.root(a)
    let rb = this.root(b)
    if (ra === rb) return
    const size = (root: number) => {
      const component = this.components[root]
      return component ? component.links.length + component.aliases.length : 0
    }
    if (size(ra) < size(rb)) [ra, rb] = [rb, ra]
    this.parent[rb] = ra
    const small = this.components[rb]
    if (!small) return
    this.components[rb] = undefined
    const big = this.componentAt(ra)
    for (const link of small.links) big.links.push(link)
    for (const alias of small.aliases) big.aliases.push(alias)
    // What the smaller one held is taken out when the merged one is resolved.
    for (const key of small.identifiers) big.identifiers.push(key)
    for (const anonymousId of small.sharedDevices) big.sharedDevices.push(anonymousId)
    for (const person of small.persons) big.persons.push(person)
  }
}

/** A usable identifier, trimmed (as `resolveIdentities` takes it), else undefined. */
function usable(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined
  const id = value.trim()
  return isUsableId(id) ? id : undefined
}

/** The identifier keys a link names (usable ones). */
function linkKeys(link: IdentityLink): string[] {
  const keys: string[] = []
  const anon = usable(link.anonymousId)
  if (anon !== undefined) keys.push(anonKey(anon))
  const user = usable(link.userId)
  if (user !== undefined) keys.push(userKey(user))
  const email =
    link.email === null || link.email === undefined ? undefined : normaliseEmail(link.email)
  if (email?.ok) keys.push(emailKey(email.email))
  return keys
}

/** An alias joins its userId with its previousId, which may be a userId or an anonymous ID. */
function aliasKeys(alias: AliasLink): string[] {
  const previous = usable(alias.previousId)
  const user = usable(alias.userId)
  if (previous === undefined || user === undefined || previous === user) return []
  return [userKey(user), userKey(previous), anonKey(previous)]
}

/** The person a link identifies (by its userId, else email), if any. */
function identifiedPerson(
  personByIdentifier: ReadonlyMap<string, string>,
  link: IdentityLink,
): string | undefined {
  if (link.userId) {
    const person = personByIdentifier.get(userKey(link.userId.trim()))
    if (person) return person
  }
  if (link.email) {
    const email = normaliseEmail(link.email)
    if (email.ok) return personByIdentifier.get(emailKey(email.email))
  }
  return undefined
}

/** Whether two lists of a shared device's identifications say the same. */
export function sameIdentifications(
  a: readonly Identification[] | undefined,
  b: readonly Identification[] | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i] as Identification
      return (
        x.person === y.person &&
        x.time === y.time &&
        x.sessionId === y.sessionId &&
        x.messageId === y.messageId
      )
    })
  )
}
