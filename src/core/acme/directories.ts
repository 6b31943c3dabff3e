// The ACME directories certnode knows by name (pvenode's menu plus other public CAs).
// Plain data: listing them must not load the ACME library.

export interface KnownDirectory {
  name: string;
  url: string;
  /** Offered in the interactive register menu (pvenode offers Let's Encrypt only). */
  inMenu: boolean;
}

export const KNOWN_DIRECTORIES: readonly KnownDirectory[] = [
  { name: "Let's Encrypt V2", url: 'https://acme-v02.api.letsencrypt.org/directory', inMenu: true },
  { name: "Let's Encrypt V2 Staging", url: 'https://acme-staging-v02.api.letsencrypt.org/directory', inMenu: true },
  { name: 'ZeroSSL', url: 'https://acme.zerossl.com/v2/DV90', inMenu: false },
  { name: 'Google Trust Services', url: 'https://dv.acme-v02.api.pki.goog/directory', inMenu: false },
  { name: 'Google Trust Services Staging', url: 'https://dv.acme-v02.test-api.pki.goog/directory', inMenu: false },
  { name: 'Buypass', url: 'https://api.buypass.com/acme/directory', inMenu: false },
  { name: 'Buypass Staging', url: 'https://api.test4.buypass.no/acme/directory', inMenu: false },
];

/** The register menu: the known entries in pvenode's order; "Custom" follows as the last index. */
export function menuDirectories(): readonly KnownDirectory[] {
  return KNOWN_DIRECTORIES.filter((d) => d.inMenu);
}
