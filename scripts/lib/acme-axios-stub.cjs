// Stands in for acme-client's axios instance (acme-client/src/axios.js) in the bundled build.
// certnode sends every ACME request itself (src/core/acme/client.ts replaces HttpClient.request,
// getDirectory and getNonce), so axios — a large share of loading the ACME layer — is left out.
// Anything that still reaches for it fails loudly instead of going to the network on its own.

function unused() {
  throw new Error('internal error: acme-client tried to send a request through axios, which certnode replaces');
}

module.exports = {
  defaults: { headers: { common: {} }, acmeSettings: { retryMaxAttempts: 0, retryDefaultDelay: 0 } },
  request: unused,
  get: unused,
  head: unused,
  post: unused,
};
