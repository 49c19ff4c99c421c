/** The static import graph of a source folder (paths relative to it), and its cycles. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  /** A path relative to the folder for a relative import, else the bare specifier. */
  to: string;
  bare: boolean;
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

export function importGraph(folder: string): Map<string, ImportEdge[]> {
  const root = resolve(folder);
  const graph = new Map<string, ImportEdge[]>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const edges: ImportEdge[] = [];
        for (const m of readFileSync(p, 'utf8').matchAll(IMPORT)) {
          const spec = m[1]!;
          edges.push(spec.startsWith('.') ? { to: relative(root, resolve(dirname(p), spec.replace(/\.js$/, '.ts'))), bare: false } : { to: spec, bare: true });
        }
        graph.set(relative(root, p), edges);
      }
    }
  };
  walk(root);
  return graph;
}

/** Strongly connected components of more than one file (or a file importing itself). */
export function importCycles(graph: ReadonlyMap<string, readonly ImportEdge[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const e of graph.get(v) ?? []) {
      if (e.bare || !graph.has(e.to)) continue;
      if (!index.has(e.to)) {
        visit(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
