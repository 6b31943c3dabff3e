// Stands in for @peculiar/x509 inside acme-client's crypto module (acme-client/src/crypto/index.js)
// in the bundled build; scripts/lib/acme-asn1js-lazy.cjs does the same for asn1js. That module
// requires both when it loads - with acme-client's Client, for every command that talks to a CA -
// but uses them only inside the functions that make or read CSRs and certificates. Evaluating the
// X.509 and ASN.1 libraries is a large part of loading the ACME layer; `acme account register`
// never needs them, and an order needs them for its CSR, which it makes while the CA validates.
//
// Here the library is required on first use instead. The one thing the crypto module does with it
// when it loads, `x509.cryptoProvider.set(crypto.webcrypto)`, is remembered and applied when the
// library loads, so it is set up exactly as before its first use.

let x509;
let provider;

function load() {
  if (x509 === undefined) {
    x509 = require('@peculiar/x509');
    if (provider !== undefined) x509.cryptoProvider.set(provider);
  }
  return x509;
}

const cryptoProvider = {
  set(value) {
    provider = value;
    if (x509 !== undefined) x509.cryptoProvider.set(value);
  },
};

module.exports = new Proxy({}, { get: (_, name) => (name === 'cryptoProvider' && x509 === undefined ? cryptoProvider : load()[name]) });
