import {
  type AccountIndex,
  type GroupCall,
  type IdentityGraph,
  resolveAccounts,
  resolveIdentities,
} from '@touchline/shared'
import type { IdentityLinkRow, Project, Store } from '../store/store'
import { accountRules } from './domains'

export interface ProjectIdentity {
  graph: IdentityGraph
  groups: GroupCall[]
  /** The identity links the graph was resolved from. */
  links: IdentityLinkRow[]
}

/** Resolves the project's identity graph from its stored evidence (when reports run). */
export async function loadIdentity(store: Store, projectId: string): Promise<ProjectIdentity> {
  const evidence = await store.identityEvidence(projectId)
  const graph = resolveIdentities({ links: evidence.links, aliases: evidence.aliases })
  return { graph, groups: evidence.groups, links: evidence.links }
}

/** Every person's account, with the maintained lists and the project's own exclusions. */
export function loadAccounts(project: Project, identity: ProjectIdentity): AccountIndex {
  return resolveAccounts(identity.graph, identity.groups, accountRules(project.settings))
}
