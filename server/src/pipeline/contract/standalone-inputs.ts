/**
 * A preset file checked on its own (no consumer includes it here) still declares the inputs its
 * consumers must give. To expand it like GitLab would for a consumer, every required input gets
 * a stand-in value of its type: its first option, else an empty value (`''`, 0, false, []).
 * The values carry the declaration's span, so nothing points at text that does not exist.
 * A component's template gets its `$[[ component.name ]]` the same way (`standaloneComponent`).
 */
import type { ComponentContext, InputSpec } from '../inputs/input-spec.js';
import { readInputSpecs } from '../inputs/inputs.js';
import { fromPlain, mapNode } from '../model.js';
import type { MapNode } from '../model.js';

const EMPTY: Record<InputSpec['type'], unknown> = { string: '', number: 0, boolean: false, array: [] };

export function standaloneInputs(header: MapNode | undefined): MapNode | undefined {
  const required = readInputSpecs(header).filter((s) => !s.hasDefault);
  if (!required.length) return undefined;
  const out = mapNode(header?.span);
  for (const spec of required) {
    const value = spec.options?.length ? spec.options[0] : EMPTY[spec.type];
    out.entries.set(spec.name, fromPlain(value, spec.span));
    if (spec.span) out.keySpans.set(spec.name, spec.span);
  }
  return out;
}

/**
 * A file where GitLab looks for a component (`templates/NAME.yml`, `templates/NAME/template.yml`)
 * checked on its own: `$[[ component.name ]]` is its name; `sha`, `version` and `reference` depend
 * on how a consumer includes it and stay empty.
 */
export function standaloneComponent(path: string): ComponentContext | undefined {
  const m = /(?:^|\/)templates\/(?:([^/]+)\/template|([^/]+))\.ya?ml$/.exec(path);
  const name = m?.[1] ?? m?.[2];
  return name ? { name } : undefined;
}
