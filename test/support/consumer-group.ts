/**
 * A GitLab stand-in holding a group of consumer projects of acme/ci-library (copies of
 * examples/service-repo, some in subgroups, one including the library from a local file) and a
 * few projects that do not use it: what `impact --consumers-of` and its benchmark read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitLabStandIn } from './gitlab-stand-in.js';
import { repoRoot } from './library-repo.js';

export const GROUP = 'acme/services';
export const STAND_IN_TOKEN = 'glpat-StandInToken-0123456789';

/** `count` consumers (every fifth in the subgroup team-b, every seventh through a local include) plus three projects that are not consumers. */
export async function consumerGroup(count = 20): Promise<{ api: GitLabStandIn; consumers: string[] }> {
  const api = await GitLabStandIn.start({ tokens: [STAND_IN_TOKEN] });
  const service = join(repoRoot, 'examples', 'service-repo');
  const root = readFileSync(join(service, '.gitlab-ci.yml'), 'utf8');
  const extra = readFileSync(join(service, '.gitlab', 'ci', 'extra.yml'), 'utf8');
  const consumers: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `service-${String(i).padStart(2, '0')}`;
    const path = i % 5 === 0 ? `${GROUP}/team-b/${name}` : `${GROUP}/${name}`;
    const files: Record<string, string> = { '.gitlab/ci/extra.yml': extra, 'README.md': `# ${name}\n` };
    if (i % 7 === 0) {
      // The library's includes moved to a local file the root includes.
      const cut = root.indexOf('# Merge request pipelines');
      files['.gitlab/ci/presets.yml'] = root.slice(0, cut).replace('  - local: .gitlab/ci/extra.yml\n', '');
      files['.gitlab-ci.yml'] = `include:\n  - local: .gitlab/ci/presets.yml\n  - local: .gitlab/ci/extra.yml\n\n${root.slice(cut)}`;
    } else files['.gitlab-ci.yml'] = root;
    api.addProject({ path, files });
    consumers.push(path);
  }
  api.addProject({ path: `${GROUP}/docs-site`, files: { '.gitlab-ci.yml': 'pages:\n  script: [mkdocs build]\n' } });
  api.addProject({ path: `${GROUP}/no-ci`, files: { 'README.md': 'no pipeline\n' } });
  api.addProject({ path: `${GROUP}/other-library-user`, files: { '.gitlab-ci.yml': 'include:\n  - project: acme/other-library\n    file: x.yml\n' } });
  api.addProject({ path: 'elsewhere/service-x', files: { '.gitlab-ci.yml': root } });
  return { api, consumers: consumers.sort() };
}
