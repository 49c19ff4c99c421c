/**
 * GitLab access: the client sends the tokens it keeps in SecretStorage, per host, with the
 * notification `gitlabCiPresets/setTokens` `{tokens: {[host]: token}}` (the whole map each time);
 * the request `gitlabCiPresets/refresh` revalidates every cached ref and remote URL the
 * workspace uses and answers what moved. Both re-check the open documents. Tokens are kept in
 * memory only and never logged or echoed.
 */
import { serverSession } from '../sources/source-session.js';
import type { SessionRefreshSummary } from '../sources/source-session.js';
import type { Feature, FeatureHost } from './shared/context.js';

export const SET_TOKENS_NOTIFICATION = 'gitlabCiPresets/setTokens';
export const REFRESH_REQUEST = 'gitlabCiPresets/refresh';

export interface SetTokensParams {
  tokens: Record<string, string>;
}

export type RefreshResult = SessionRefreshSummary;

function recheckOpenDocuments(host: FeatureHost): void {
  for (const doc of host.documents.all()) host.revalidate(doc.uri);
}

export const tokensFeature: Feature = {
  capabilities: {},
  register(host) {
    host.connection.onNotification(SET_TOKENS_NOTIFICATION, (params: Partial<SetTokensParams> | undefined) => {
      const tokens = params && typeof params.tokens === 'object' && params.tokens !== null ? params.tokens : {};
      // An untrusted workspace uses no token (and makes no request: server.ts reads it offline).
      serverSession.tokens.replace(host.initializationOptions().trusted === false ? {} : tokens);
      // Answers obtained with the old tokens (a 401, a 404 on a private project) must not linger.
      serverSession.invalidate();
      recheckOpenDocuments(host);
    });
    host.connection.onRequest(REFRESH_REQUEST, async (): Promise<RefreshResult> => {
      const summary = await serverSession.refresh();
      recheckOpenDocuments(host);
      return summary;
    });
  },
};
