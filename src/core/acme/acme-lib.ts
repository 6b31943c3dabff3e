// The parts of acme-client certnode uses (its Client for JWS signing; CSRs are cert/csr.ts's), imported
// past the package's index: the index also loads node-forge and the auto mode, which certnode never
// uses and which cost start-up time on every command that talks to a CA. In the bundled build
// (scripts/bundle.mjs) acme-client's axios is left out too: client.ts replaces its HTTP transport.

import Client from 'acme-client/src/client.js';
import axios from 'acme-client/src/axios.js';

export default { Client, axios };
