/**
 * Every LSP feature the server offers. A feature file exports a `Feature`; add it here.
 */
import type { Feature } from './context.js';

export const features: Feature[] = [];
