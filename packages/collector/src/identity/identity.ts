import {
  type AccountIndex,
  type GroupCall,
  type IdentityGraph,
  resolveAccounts,
  resolveIdentities,
} from '@touchline/shared'
import type { IdentityEvidence, IdentityLinkRow, Project, Store } from '../store/store'
import { accountRules } from './domains'

export interface ProjectIdentity {
  graph: IdentityGraph
  groups: GroupCall[]
  /** The identity links the graph was resolved from. */
  links: IdentityLinkRow[]
}

/**
 * Identities by the evidence they were resolved from. A store answers each call with new
 * evidence; a view that hands the same evidence out again (erasure's, to the journey
 * engine) has it resolved once.
 */
const resolved = new WeakMap<IdentityEvidence, ProjectIdentity>()

/** Resolves the project's identity graph from its stored evidence (when reports run). */
export async function loadIdentity(store: Store, projectId: string): Promise<ProjectIdentity> {
  const evidence = await store.identityEvidence(projectId)
  const known = resolved.get(evidence)
  if (known) return known
  const graph = resolveIdentities({ links: evidence.links, aliases: evidence.aliases })
  const identity = { graph, groups: evidence.groups, links: evidence.links }
  resolved.set(evidence, identity)
  return identity
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
