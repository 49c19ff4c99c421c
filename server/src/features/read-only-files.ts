/**
 * `gitlabCiPresets/readFile`: the text of a pipeline file that is not on disk in the workspace,
 * for the client's read-only `gitlab-ci-presets:` documents (the scheme: shared/client-uris.ts).
 */
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { fromClientUri, READ_FILE_REQUEST, readPipelineFile } from './shared/client-uris.js';
import type { ReadFileParams, ReadFileResult } from './shared/client-uris.js';
import type { Feature } from './shared/context.js';

export const readOnlyFiles: Feature = {
  capabilities: {},
  register(host) {
    host.connection.onRequest(READ_FILE_REQUEST, async (params: ReadFileParams): Promise<ReadFileResult> => {
      const uri = typeof params?.uri === 'string' ? params.uri : '';
      const text = await readPipelineFile(host, uri);
      if (text === undefined) throw new ResponseError(LSPErrorCodes.RequestFailed, `${fromClientUri(uri)} is not a file of any open pipeline`);
      return { text };
    });
  },
};
