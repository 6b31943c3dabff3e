// Stands in for asn1js inside acme-client's crypto module in the bundled build: required on first
// use (see scripts/lib/acme-x509-lazy.cjs for why).

let asn1js;

module.exports = new Proxy({}, { get: (_, name) => (asn1js ??= require('asn1js'))[name] });
