// Real receivers for certnode's unattended reporting, from Debian packages, on free loopback ports:
// - prometheus-node-exporter with only its textfile collector, scraped over HTTP;
// - an SMTP server (python3-aiosmtpd, Maildir handler) with msmtp as the host's `sendmail`.
// Logs go to files (never a pipe the test's event loop must drain).

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './pebble.ts';

const START_TIMEOUT_MS = 20_000;

function startLogged(command: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

async function until(what: string, check: () => Promise<boolean>, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${START_TIMEOUT_MS / 1000} s:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface NodeExporter {
  url: string;
  /** Samples of /metrics whose name starts with `prefix`, as `name{labels}` -> value. */
  scrape(prefix: string): Promise<Map<string, number>>;
  log(): string;
  stop(): Promise<void>;
}

export async function startNodeExporter(textfileDir: string, workDir: string): Promise<NodeExporter> {
  const port = await freePort();
  const logFile = join(workDir, 'node-exporter.log');
  const child = startLogged(
    'prometheus-node-exporter',
    [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfileDir}`],
    logFile,
  );
  const url = `http://127.0.0.1:${port}/metrics`;
  await until('prometheus-node-exporter', async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok, logFile);
  return {
    url,
    async scrape(prefix) {
      const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
      const samples = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!line.startsWith(prefix)) continue;
        const at = line.lastIndexOf(' ');
        samples.set(line.slice(0, at), Number(line.slice(at + 1)));
      }
      return samples;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: () => stopChild(child),
  };
}

export interface MailSink {
  /** PATH entry holding `sendmail` (msmtp) and the HOME whose .msmtprc points at the SMTP server. */
  env: { PATH: string; HOME: string };
  /** The messages received so far (raw RFC 5322 text), oldest first. */
  messages(): string[];
  log(): string;
  stop(): Promise<void>;
}

export async function startMailSink(workDir: string): Promise<MailSink> {
  const port = await freePort();
  const maildir = join(workDir, 'Maildir');
  const logFile = join(workDir, 'smtpd.log');
  // Debian's python3 (the aiosmtpd package's), not whatever python3 comes first on PATH
  const child = startLogged('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], logFile);
  await until(
    'aiosmtpd',
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    logFile,
  );
  const bin = join(workDir, 'bin');
  const home = join(workDir, 'home');
  mkdirSync(bin, { recursive: true });
  mkdirSync(home, { recursive: true });
  symlinkSync('/usr/bin/msmtp', join(bin, 'sendmail'));
  const rc = join(home, '.msmtprc');
  writeFileSync(rc, `defaults\nauth off\ntls off\nlogfile ${join(workDir, 'msmtp.log')}\n\naccount local\nhost 127.0.0.1\nport ${port}\nfrom certnode@node.example.test\n\naccount default : local\n`);
  chmodSync(rc, 0o600);
  const newDir = join(maildir, 'new');
  return {
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home },
    messages: () => (existsSync(newDir) ? readdirSync(newDir).sort().map((f) => readFileSync(join(newDir, f), 'utf8')) : []),
    log: () => [logFile, join(workDir, 'msmtp.log')].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n'),
    stop: () => stopChild(child),
  };
}
