// Types for the acme-client modules src/core/acme/acme-lib.ts imports directly (the package types
// only its index); they are the index's own exports.

declare module 'acme-client/src/client.js' {
  import type acme from 'acme-client';
  const Client: typeof acme.Client;
  export default Client;
}

declare module 'acme-client/src/crypto/index.js' {
  import type acme from 'acme-client';
  const crypto: typeof acme.crypto;
  export default crypto;
}

declare module 'acme-client/src/axios.js' {
  import type acme from 'acme-client';
  const axios: typeof acme.axios;
  export default axios;
}
