/**
 * Values of GitLab's predefined variables for a simulated pipeline (the CLI's and the
 * preview's "what would GitLab see" context): project, server, ref and pipeline source.
 */
export interface SimulatedContext {
  projectPath?: string;
  serverHost?: string;
  defaultBranch?: string;
  /** A branch pipeline on this branch (ignored when `tag` is set). */
  branch?: string;
  tag?: string;
  /** A merge request's target branch (default: the default branch). */
  targetBranch?: string;
  source?: 'push' | 'merge_request_event' | 'schedule' | 'web' | 'api' | 'trigger' | 'pipeline' | 'parent_pipeline';
}

export function simulatedVariables(ctx: SimulatedContext = {}): Record<string, string> {
  const host = ctx.serverHost ?? 'gitlab.com';
  const projectPath = ctx.projectPath ?? 'group/project';
  const slash = projectPath.lastIndexOf('/');
  const defaultBranch = ctx.defaultBranch ?? 'main';
  const vars: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER: 'yes',
    CI_SERVER_HOST: host,
    CI_SERVER_FQDN: host,
    CI_SERVER_PROTOCOL: 'https',
    CI_SERVER_PORT: '443',
    CI_SERVER_URL: `https://${host}`,
    CI_API_V4_URL: `https://${host}/api/v4`,
    CI_PROJECT_PATH: projectPath,
    CI_PROJECT_NAMESPACE: slash > 0 ? projectPath.slice(0, slash) : '',
    CI_PROJECT_NAME: projectPath.slice(slash + 1),
    CI_PROJECT_URL: `https://${host}/${projectPath}`,
    CI_PROJECT_PATH_SLUG: slug(projectPath),
    CI_DEFAULT_BRANCH: defaultBranch,
    CI_PIPELINE_SOURCE: ctx.source ?? 'push',
    CI_CONFIG_PATH: '.gitlab-ci.yml',
  };
  const ref = ctx.tag ?? ctx.branch ?? defaultBranch;
  vars.CI_COMMIT_REF_NAME = ref;
  vars.CI_COMMIT_REF_SLUG = slug(ref);
  if (ctx.tag) vars.CI_COMMIT_TAG = ctx.tag;
  else if (ctx.source === 'merge_request_event') {
    // MergeRequest#predefined_variables (+ source project and pipeline ones) of a detached pipeline
    // for merge request !1 of the project itself.
    Object.assign(vars, {
      CI_MERGE_REQUEST_ID: '1',
      CI_MERGE_REQUEST_IID: '1',
      CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/1/head',
      CI_MERGE_REQUEST_PROJECT_PATH: projectPath,
      CI_MERGE_REQUEST_PROJECT_URL: `https://${host}/${projectPath}`,
      CI_MERGE_REQUEST_SOURCE_PROJECT_PATH: projectPath,
      CI_MERGE_REQUEST_SOURCE_PROJECT_URL: `https://${host}/${projectPath}`,
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: ref,
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: ctx.targetBranch ?? defaultBranch,
      CI_MERGE_REQUEST_TITLE: `Merge ${ref}`,
      CI_MERGE_REQUEST_DRAFT: 'false',
      CI_MERGE_REQUEST_EVENT_TYPE: 'detached',
      CI_OPEN_MERGE_REQUESTS: `${projectPath}!1`,
    });
  } else vars.CI_COMMIT_BRANCH = ref;
  return vars;
}

/** GitLab's `*_SLUG`: lower-cased, non-alphanumerics replaced by `-`, at most 63 characters, no leading/trailing `-`. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
}
