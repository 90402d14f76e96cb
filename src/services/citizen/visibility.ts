/**
 * What a citizen may see of their own case's documents: everything except notes marked internal. One
 * rule for every way in (overview, export, the case and document endpoints a citizen may call).
 */
export function citizenMaySee(kind: string): boolean {
  return !kind.startsWith('internal')
}
