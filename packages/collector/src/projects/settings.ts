import { DEFAULT_PROJECT_SETTINGS, type ProjectSettings } from '../store/store'

/*
 * A project's settings as every store adapter keeps them: what was set, stored as given,
 * read back over the defaults (so a setting added in a later version has its default in
 * projects made before it).
 */

/** Stored settings read back: the defaults, with what was set over them. */
export function withDefaults(stored: Partial<ProjectSettings> | undefined): ProjectSettings {
  return { ...DEFAULT_PROJECT_SETTINGS, ...stored }
}

/** Settings after a patch: each setting the patch gives replaces the stored one whole. */
export function mergeSettings(
  stored: Partial<ProjectSettings>,
  patch: Partial<ProjectSettings> | undefined,
): Partial<ProjectSettings> {
  return { ...stored, ...patch }
}
