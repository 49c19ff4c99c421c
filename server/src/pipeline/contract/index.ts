/**
 * The preset variable contract, one entry for features and the CLI: what a template job or a
 * preset file expects from the project that uses it, which of it a consumer does not set, and
 * where a variable is defined for a job.
 */
export type { Contract, ContractVariable } from './contract-types.js';
export { documentContract, fileContract, jobContract, jobFile, templateContract } from './variable-contract.js';
export { missingRequiredVariables } from './missing-variables.js';
export { jobsPlacingIn } from './document-jobs.js';
export { consumerJobContract, consumerPipelineContract, isConsumerFile } from './consumer-contract.js';
export type { MissingVariable } from './missing-variables.js';
export { definitionsInScope, globalDefinitions, jobDefinitions } from '../variables/variable-definitions.js';
export type { ScopeOptions, VariableDefinition } from '../variables/variable-definitions.js';
export { docCommentAbove, fileHeaderComment } from './doc-comments.js';
export type { DocComment } from './doc-comments.js';
export { standaloneComponent, standaloneInputs } from './standalone-inputs.js';
