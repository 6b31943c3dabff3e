// Stands in for @peculiar/x509 inside acme-client's crypto module (acme-client/src/crypto/index.js)
// in the bundled build; scripts/lib/acme-asn1js-lazy.cjs does the same for asn1js. That module
// requires both when it loads - with acme-client's Client, for every command that talks to a CA -
// but uses them only in the functions that make or read CSRs and certificates, none of which
// certnode calls: it signs requests with acme-client and makes its CSRs itself
// (src/core/cert/csr.ts). So the libraries are left out of the ACME layer altogether (loading
// their chunk cost `acme account register` and every order ~60 M instructions); a use fails loudly.
//
// The one thing the crypto module does with it when it loads, `x509.cryptoProvider.set(...)`, is
// accepted and ignored.

const unused = (name) => {
  throw new Error(`@peculiar/x509 (${String(name)}) is not part of certnode's ACME layer: acme-client's X.509 functions are not used (see scripts/lib/acme-x509-lazy.cjs)`);
};

module.exports = new Proxy({}, { get: (_, name) => (name === 'cryptoProvider' ? { set() {} } : unused(name)) });
