// certnode cert set <certificates-file> [<key-file>] [--force] [--restart]

import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { parseBoolean } from '../../core/config/formats.ts';
import { planCustomCertificate } from '../../core/cert/custom.ts';
import { installCertificate } from '../../core/cert/install.ts';
import { loadPrivateKey } from '../../core/cert/key-material.ts';
import { parseCertificateChain, parsePrivateKeyPem } from '../../core/cert/pem.ts';
import { UsageError } from '../../core/errors.ts';
import { stepLog } from '../../core/output/tasklog.ts';
import { errnoText } from '../../core/store/store.ts';
import type { LeafCommand } from '../command.ts';
import { certInfoResult, installedInfo, nodeCertSettings } from './shared.ts';
import { reloadAfterInstall, requireReloadCommand } from './reload.ts';

export interface SetOptions {
  chain: string;
  key: string | undefined;
  force: boolean;
  restart: boolean;
}

export const command: LeafCommand<SetOptions> = {
  parse(args, raw) {
    const [certificatesFile, keyFile] = args;
    const chain = parseCertificateChain(readArgumentFile(certificatesFile!, 'certificates'), 'certificates');
    checkCertificateKeyStrength(chain);
    let key: string | undefined;
    if (keyFile !== undefined) {
      key = parsePrivateKeyPem(readArgumentFile(keyFile, 'key'), 'key');
      loadPrivateKey(key); // refuses a password-protected key before anything else happens
    }
    return {
      chain,
      key,
      force: raw.force === undefined ? false : parseBoolean(raw.force, 'force'),
      restart: raw.restart === undefined ? false : parseBoolean(raw.restart, 'restart'),
    };
  },
  async run(env, opts) {
    const { settings, targets } = await nodeCertSettings(env);
    if (opts.restart) requireReloadCommand(settings);
    const log = stepLog(env);
    log.info('Setting custom certificate files');
    const validity = validityWarning(opts.chain, env.ctx.now());
    if (validity) log.warn(`WARNING: ${validity}`);
    const { pair } = await installCertificate(targets, (current) => planCustomCertificate(current, opts), { now: env.ctx.now(), backup: true });
    if (opts.restart) await reloadAfterInstall(env, settings, log);
    return certInfoResult(installedInfo(pair.chain, targets.certFile), env);
  },
};

/** Keys no TLS client should have to accept: RSA under 2048 bits, DSA. */
function checkCertificateKeyStrength(chain: string): void {
  const key = new X509Certificate(chain).publicKey;
  const type = key.asymmetricKeyType;
  if (type === 'dsa') throw new UsageError('DSA keys are not supported (use RSA of 2048 bits or more, or EC)', 'certificates');
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new UsageError(`the RSA key has ${bits} bits, at least ${MIN_RSA_BITS} are needed`, 'certificates');
  }
}

const MIN_RSA_BITS = 2048;

/** "the certificate expired on ..." / "is not valid before ...", or undefined while it is valid. */
function validityWarning(chain: string, now: Date): string | undefined {
  const cert = new X509Certificate(chain);
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (to < now) return `the certificate expired on ${to.toISOString()}`;
  if (from > now) return `the certificate is not valid before ${from.toISOString()}`;
  return undefined;
}

function readArgumentFile(file: string, param: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`unable to read file '${file}' - ${err instanceof Error ? errnoText(err) : String(err)}`, param);
  }
}
