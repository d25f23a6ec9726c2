import {
  type AccountIndex,
  type GroupCall,
  type IdentityGraph,
  IdentityResolver,
  resolveAccounts,
} from '@touchline/shared'
import type { IdentityEvidence, Project, Store } from '../store/store'
import { accountRules } from './domains'

/** A project's identities, kept current as evidence arrives (`IdentityResolver.add`). */
export interface ProjectIdentity {
  resolver: IdentityResolver
  /** The resolver's graph (its maps are the resolver's, current after every `add`). */
  graph: IdentityGraph
  groups: GroupCall[]
}

/**
 * Identities by the evidence they were resolved from. A store answers each call with new
 * evidence; a view that hands the same evidence out again (erasure's, to the journey
 * engine) has it resolved once.
 */
const resolved = new WeakMap<IdentityEvidence, ProjectIdentity>()

/**
 * Resolves the project's identity graph from its stored evidence (when reports run), with
 * the newest event id that evidence is current to.
 */
export async function loadIdentity(
  store: Store,
  projectId: string,
): Promise<{ identity: ProjectIdentity; lastEventId: number }> {
  const evidence = await store.identityEvidence(projectId)
  let identity = resolved.get(evidence)
  if (!identity) {
    identity = identityOf(evidence)
    resolved.set(evidence, identity)
  }
  return { identity, lastEventId: evidence.lastEventId }
}

/** The identities `evidence` resolves to, ready for more (`IdentityResolver.add`). */
export function identityOf(evidence: IdentityEvidence): ProjectIdentity {
  const resolver = new IdentityResolver()
  resolver.add({ links: evidence.links, aliases: evidence.aliases })
  return { resolver, graph: resolver.graph, groups: [...evidence.groups] }
}

/** Every person's account, with the maintained lists and the project's own exclusions. */
export function loadAccounts(
  project: Project,
  identity: ProjectIdentity,
  maintained: ReadonlySet<string>,
): AccountIndex {
  return resolveAccounts(
    identity.graph,
    identity.groups,
    accountRules(project.settings, maintained),
  )
}
