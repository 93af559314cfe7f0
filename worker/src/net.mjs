// A placeholder for issue 23's pinned-CA HTTPS client (branch `tls`): the same export and
// signature, `httpsFetch(gate, { url, caPem, method, headers, body, maxBytes, timeoutMs })`
// resolving to `{ status, headers, body }`. It sends nothing: until that client is merged, a
// Kubernetes mount whose API server needs a pinned CA fails closed (its logins answer 403 and
// the log says why). At the merge, issue 23's file replaces this one whole.
export async function httpsFetch(_gate, { url } = {}) {
  const e = new Error(`no pinned-CA HTTPS client in this build: ${url} is not asked`);
  e.code = 'ERR_NET_UNAVAILABLE';
  throw e;
}
