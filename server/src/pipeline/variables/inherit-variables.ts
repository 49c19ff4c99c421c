/**
 * GitLab's `inherit: variables:` — which global variables a job takes. Its own module: the
 * definitions (hover, the contract) and the collection's expansion (validation) both read it.
 */
import type { MapNode } from '../model.js';

/** Which global variables a job takes (`inherit:variables`: true, false or a list). */
export function inheritsGlobal(job: MapNode | undefined): (name: string) => boolean {
  const inherit = job?.entries.get('inherit');
  const v = inherit?.kind === 'map' ? inherit.entries.get('variables') : undefined;
  if (!v) return () => true;
  if (v.kind === 'scalar') return v.value === false ? () => false : () => true;
  if (v.kind === 'seq') {
    const allowed = new Set(v.items.map((i) => (i.kind === 'scalar' ? String(i.value) : '')));
    return (name) => allowed.has(name);
  }
  return () => true;
}
