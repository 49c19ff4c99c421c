/**
 * What is at an offset of a file: the path of keys/indexes from the document root to the node
 * under the cursor, and whether the cursor is on a key or a value. Works on a file's own parsed
 * tree (spans are the file's offsets), before any merging.
 */
import type { MapNode, Node, SeqNode } from './model.js';

export interface Located {
  /** Keys and sequence indexes from the document root. */
  path: (string | number)[];
  /** The node under the cursor (the value of the last key when on a key). */
  node?: Node;
  /** True when the cursor is on a mapping key (the last path element). */
  onKey: boolean;
  /** The collection holding the last path element. */
  parent?: MapNode | SeqNode;
  /** The chain of nodes along the path (root first). */
  ancestors: Node[];
}

function contains(span: { start: number; end: number } | undefined, offset: number): boolean {
  return !!span && span.start <= offset && offset <= span.end;
}

export function locate(root: Node, offset: number): Located {
  const out: Located = { path: [], onKey: false, node: root, ancestors: [] };
  let cur: Node | undefined = root;
  for (;;) {
    if (!cur) return out;
    out.ancestors.push(cur);
    if (cur.kind === 'map') {
      let next: Node | undefined;
      for (const [k, v] of cur.entries) {
        const ks = cur.keySpans.get(k);
        if (contains(ks, offset) && ks!.uri === (cur.span?.uri ?? ks!.uri)) {
          out.path.push(k);
          out.onKey = true;
          out.node = v;
          out.parent = cur;
          return out;
        }
        if (contains(v.span, offset) && ks && ks.start <= offset) {
          out.path.push(k);
          out.parent = cur;
          out.node = v;
          next = v;
          break;
        }
      }
      if (!next) return out;
      cur = next;
    } else if (cur.kind === 'seq' || cur.kind === 'ref') {
      if (cur.kind === 'ref') return out;
      const i = cur.items.findIndex((it) => contains(it.span, offset));
      if (i < 0) return out;
      out.path.push(i);
      out.parent = cur;
      out.node = cur.items[i];
      cur = cur.items[i];
    } else return out;
  }
}
