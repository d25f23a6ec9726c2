/** The root of `id` in a union-find of numbers (`parent[root] === root`), paths compressed. */
export function rootOf(parent: number[], id: number): number {
  let root = id
  while (parent[root] !== root) root = parent[root] as number
  for (let current = id; current !== root; ) {
    const next = parent[current] as number
    parent[current] = root
    current = next
  }
  return root
}
