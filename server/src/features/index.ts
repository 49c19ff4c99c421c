/**
 * Every LSP feature the server offers. A feature file exports a `Feature`; add it here.
 */
import type { Feature } from './shared/context.js';
import { codeLens } from './code-lens.js';
import { definition } from './definition.js';
import { documentSymbol } from './document-symbols.js';
import { readOnlyFiles } from './read-only-files.js';
import { references } from './references.js';
import { rename } from './rename.js';
import { tokensFeature } from './tokens.js';
import { previewFeature } from './preview.js';
import { completion } from './completion.js';
import { hover } from './hover.js';
import { validateFeature } from './validate.js';
import { codeActions } from './code-actions.js';
import { impactFeature } from './impact.js';

export const features: Feature[] = [tokensFeature];
features.push(definition, references, codeLens, rename, documentSymbol, readOnlyFiles);
features.push(previewFeature);
features.push(completion, hover);
features.push(codeActions);
features.push(validateFeature);
features.push(impactFeature);
