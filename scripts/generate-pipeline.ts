/**
 * A generated pipeline of N jobs for the preview benchmark and the e2e render check: templates
 * (in an included file, or inline), `extends:`, `!reference`-free rules shared through extends,
 * needs chains, a matrix every 50 jobs, allow_failure every 7.
 */
export const GENERATED_STAGES = ['build', 'test', 'package', 'deploy', 'verify'];

export function generatePipeline(jobs: number, opts: { inline?: boolean } = {}): Record<string, string> {
  const lib = [
    '.base:',
    '  image: alpine:3.20',
    '  retry: { max: 1, when: [runner_system_failure] }',
    '  before_script: [echo "$SERVICE_NAME"]',
    '  variables: { LOG_LEVEL: info, OUT: "dist/$CI_JOB_NAME" }',
    '.rules:',
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
    '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    '    - if: $CI_COMMIT_TAG =~ /^v\\d+/',
    '      when: manual',
  ].join('\n');
  const root: string[] = [opts.inline ? lib : 'include: [{ local: lib.yml }]', `stages: [${GENERATED_STAGES.join(', ')}]`, 'variables: { SERVICE_NAME: bench }'];
  for (let i = 0; i < jobs; i++) {
    const stage = GENERATED_STAGES[Math.floor((i * GENERATED_STAGES.length) / jobs)];
    root.push(`job-${i}:`, '  extends: [.base, .rules]', `  stage: ${stage}`, `  script: ["make part-${i}", "echo done"]`);
    if (i % 5 && i > 0) root.push(`  needs: [job-${i - 1}]`);
    if (i % 50 === 0) root.push('  parallel: { matrix: [{ ARCH: [amd64, arm64], OS: [linux, windows] }] }');
    if (i % 7 === 0) root.push('  allow_failure: true');
  }
  const main = root.join('\n') + '\n';
  return opts.inline ? { '.gitlab-ci.yml': main } : { '.gitlab-ci.yml': main, 'lib.yml': lib + '\n' };
}
