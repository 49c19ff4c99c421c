/**
 * The impact report posted as a merge-request note (`POST /projects/:id/merge_requests/:iid/notes`),
 * as the CI component does in a library's merge request pipelines. The token goes only to the
 * GitLab instance named, over https (plain http only to a loopback address), and never into a
 * message.
 */
import { mayCarryToken, normaliseGitlabUrl } from '../sources/hosts.js';
import { redact } from '../sources/gitlab-api.js';
import { RequestFailure, RequestLimiter } from '../sources/request-limits.js';

export interface NoteTarget {
  gitlabUrl: string;
  /** Numeric id or `group/project` path. */
  project: string;
  mergeRequest: string;
}

/** GitLab refuses longer notes. */
const MAX_NOTE = 1_000_000;

/** The merge request to post on: the options, else GitLab's predefined variables of a merge request pipeline. */
export function noteTarget(o: { gitlabUrl?: string; project?: string; mergeRequest?: string; env: Record<string, string | undefined> }): NoteTarget {
  const url = o.gitlabUrl ?? o.env.CI_SERVER_URL;
  if (!url) throw new Error('no GitLab URL (--gitlab-url, or CI_SERVER_URL in a pipeline)');
  const project = o.project ?? o.env.CI_MERGE_REQUEST_PROJECT_ID ?? o.env.CI_PROJECT_ID;
  if (!project) throw new Error('no project (--note-project, or CI_MERGE_REQUEST_PROJECT_ID in a merge request pipeline)');
  const mergeRequest = o.mergeRequest ?? o.env.CI_MERGE_REQUEST_IID;
  if (!mergeRequest || !/^\d+$/.test(mergeRequest)) throw new Error('no merge request (--merge-request IID, or CI_MERGE_REQUEST_IID in a merge request pipeline)');
  return { gitlabUrl: normaliseGitlabUrl(url), project, mergeRequest };
}

export async function postNote(t: NoteTarget, token: string, markdown: string, limiter = new RequestLimiter({ timeoutMs: 30_000 })): Promise<{ ok: true; id: number } | { ok: false; error: string }> {
  const url = `${t.gitlabUrl}/api/v4/projects/${encodeURIComponent(t.project)}/merge_requests/${encodeURIComponent(t.mergeRequest)}/notes`;
  if (!mayCarryToken(url, t.gitlabUrl)) return { ok: false, error: `the token is not sent to ${t.gitlabUrl} (only over https, or plain http to a loopback address)` };
  const body = markdown.length > MAX_NOTE ? `${markdown.slice(0, MAX_NOTE - 200)}\n\n… (cut: the whole report is in the job log)\n` : markdown;
  try {
    const res = await limiter.post({ url, headers: { 'content-type': 'application/json', accept: 'application/json', 'private-token': token }, body: JSON.stringify({ body }), sensitiveHeaders: ['private-token'] });
    if (res.status < 200 || res.status >= 300) {
      let said = '';
      try {
        const m = (JSON.parse(res.body) as { message?: unknown }).message;
        said = typeof m === 'string' ? ` (${m})` : '';
      } catch {
        // not JSON
      }
      return { ok: false, error: redact(`${new URL(t.gitlabUrl).host} answered ${res.status}${said}`, token) };
    }
    const id = (JSON.parse(res.body) as { id?: unknown }).id;
    return { ok: true, id: typeof id === 'number' ? id : 0 };
  } catch (e) {
    if (e instanceof RequestFailure || e instanceof SyntaxError) return { ok: false, error: redact(e.message, token) };
    throw e;
  }
}
