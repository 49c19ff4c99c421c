/**
 * The context bar's state (what the user picked) and the context the server's preview request
 * takes. A "tag" source is a push of that tag; extra variables are typed as `A=1 B="x y"`.
 */
export type UiSource = 'push' | 'merge_request_event' | 'schedule' | 'tag' | 'web';

export interface UiContext {
  source: UiSource;
  branch: string;
  tag: string;
  variables: string;
}

export const DEFAULT_UI_CONTEXT: UiContext = { source: 'push', branch: '', tag: '', variables: '' };

/** `A=1 B="x y" C='z'` → {A: "1", B: "x y", C: "z"}. */
export function parseVariables(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g;
  for (const m of text.matchAll(re)) out[m[1]] = m[3] ?? m[4] ?? m[5] ?? '';
  return out;
}

export function requestContext(c: UiContext): { source: string; branch?: string; tag?: string; variables: Record<string, string> } {
  const variables = parseVariables(c.variables);
  if (c.source === 'tag') return { source: 'push', tag: c.tag.trim() || 'v1.0.0', variables };
  return { source: c.source, branch: c.branch.trim() || undefined, variables };
}
