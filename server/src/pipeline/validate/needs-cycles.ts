/**
 * The graph of `needs:` between a pipeline's jobs: GitLab's Dag check for cycles (the whole graph,
 * or a walk from the jobs an edit changed).
 */
import type { JobView } from '../merge/jobs.js';
import { baseJobName } from '../merge/matrix.js';
import type { Span } from '../model.js';
import { needEntries, needName } from './values.js';

/**
 * A cycle of `needs:` (GitLab's Dag: Ruby's TSort over the jobs in order, each job's needs in
 * order): the first strongly connected component of more than one job, in the order it was entered.
 * Self-dependencies are reported per job.
 */
export function circularNeeds(jobs: Map<string, JobView>, realJob: (name: string) => JobView | undefined): { names: string[]; span?: Span } | undefined {
  const edges = new Map<string, { to: string; span?: Span }[]>();
  jobs.forEach((j, name) => {
    if (!j.hidden) edges.set(name, needEdges(j, realJob));
  });
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let found: { names: string[]; span?: Span } | undefined;
  // Iterative Tarjan (deep needs chains must not overflow the call stack).
  for (const root of edges.keys()) {
    if (found) break;
    if (index.has(root)) continue;
    const frames: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, index.size); low.set(root, index.get(root)!); stack.push(root); onStack.add(root);
    while (frames.length && !found) {
      const f = frames[frames.length - 1];
      const out = edges.get(f.node) ?? [];
      if (f.next < out.length) {
        const to = out[f.next++].to;
        if (!index.has(to)) {
          index.set(to, index.size); low.set(to, index.get(to)!); stack.push(to); onStack.add(to);
          frames.push({ node: to, next: 0 });
        } else if (onStack.has(to)) low.set(f.node, Math.min(low.get(f.node)!, index.get(to)!));
        continue;
      }
      frames.pop();
      if (frames.length) { const p = frames[frames.length - 1].node; low.set(p, Math.min(low.get(p)!, low.get(f.node)!)); }
      if (low.get(f.node) === index.get(f.node)) {
        const names = stack.splice(stack.indexOf(f.node));
        names.forEach((x) => onStack.delete(x));
        if (names.length > 1) {
          const next = edges.get(names[0])!.find((e) => names.includes(e.to));
          found = { names, span: next?.span };
        }
      }
    }
  }
  return found;
}

/** The jobs a real job needs (by the name GitLab's Dag knows them), each with where it is written. */
function needEdges(j: JobView, realJob: (name: string) => JobView | undefined): { to: string; span?: Span }[] {
  const list: { to: string; span?: Span }[] = [];
  for (const need of needEntries(j.node.entries.get('needs')).map(needName)) {
    if (!need || need.name === j.name) continue;
    const target = realJob(need.name) ? need.name : realJob(baseJobName(need.name)) ? baseJobName(need.name) : undefined;
    if (target !== undefined) list.push({ to: target, span: need.span });
  }
  return list;
}

/** Whether a job's needs lead back to it (a walk over what it needs, each job once). */
export function reachesItself(start: string, realJob: (name: string) => JobView | undefined): boolean {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const job = realJob(todo.pop()!);
    if (!job) continue;
    for (const { to } of needEdges(job, realJob)) {
      if (to === start) return true;
      if (!seen.has(to)) {
        seen.add(to);
        todo.push(to);
      }
    }
  }
  return false;
}
