// Stands in for asn1js inside acme-client's crypto module in the bundled build: left out, like
// @peculiar/x509 (see scripts/lib/acme-x509-lazy.cjs for why); a use fails loudly.

module.exports = new Proxy({}, {
  get: (_, name) => {
    throw new Error(`asn1js (${String(name)}) is not part of certnode's ACME layer: acme-client's X.509 functions are not used (see scripts/lib/acme-x509-lazy.cjs)`);
  },
});
