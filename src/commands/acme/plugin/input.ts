// Turning plugin add/set options into a validated PluginInput.

import * as fs from 'node:fs';
import { CliError, UsageError } from '../../../core/errors.ts';
import { PVE_DNS_SCHEMA_FILE, pveApiRefusal } from '../../../core/config/proxmox-rules.ts';
import { checkDnsApi, checkIpAddress, checkNodeList, MAX_PLUGIN_DATA_BYTES, parseBoolean, parseInteger } from '../../../core/config/formats.ts';
import { MAX_VALIDATION_DELAY, PROPAGATION_MODES, type PluginInput, type PropagationMode } from '../../../core/config/plugins.ts';
import { errnoText, MAX_CONFIG_FILE_BYTES, readTextIfExists } from '../../../core/store/store.ts';
import type { CommandEnv, RawOptions } from '../../command.ts';

export async function pluginInput(raw: RawOptions, env: CommandEnv): Promise<PluginInput> {
  const input: PluginInput = {};
  if (raw.api !== undefined) input.api = checkDnsApi(raw.api);
  if (input.api !== undefined && env.paths.layout === 'pve') {
    // on a PVE host, its list of DNS APIs: a plugin naming another one is dropped by PVE
    const refusal = pveApiRefusal(input.api, readTextIfExists(PVE_DNS_SCHEMA_FILE, MAX_CONFIG_FILE_BYTES));
    if (refusal !== undefined) throw new CliError(`api: ${refusal}`);
  }
  if (raw.data !== undefined) input.data = await readDataFile(raw.data, env);
  if (raw.disable !== undefined) input.disable = parseBoolean(raw.disable, 'disable');
  if (raw.nodes !== undefined) input.nodes = checkNodeList(raw.nodes).join(',');
  if (raw.validationDelay !== undefined) input['validation-delay'] = parseInteger(raw.validationDelay, 'validation-delay', 0, MAX_VALIDATION_DELAY);
  if (raw.propagation !== undefined) {
    if (!(PROPAGATION_MODES as readonly string[]).includes(raw.propagation)) {
      throw new UsageError(`value '${raw.propagation}' does not have a value in the enumeration '${PROPAGATION_MODES.join(', ')}'`, 'propagation');
    }
    input.propagation = raw.propagation as PropagationMode;
  }
  if (raw.port !== undefined) input.port = parseInteger(raw.port, 'port', 1, 65535);
  if (raw.address !== undefined) input.address = checkIpAddress(raw.address, 'address');
  if (raw.challenge !== undefined) {
    if (raw.challenge !== 'http-01' && raw.challenge !== 'tls-alpn-01') throw new UsageError(`value '${raw.challenge}' does not have a value in the enumeration 'http-01, tls-alpn-01'`, 'challenge');
    input.challenge = raw.challenge;
  }
  return input;
}

const DATA_LINE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * Read a `--data` file ('-' for stdin): one KEY=VALUE per line, KEY a shell identifier,
 * the value kept verbatim after the first '='. Blank lines are dropped.
 */
export async function readDataFile(file: string, env: CommandEnv): Promise<string> {
  let text: string;
  try {
    if (file !== '-' && fs.statSync(file).size > MAX_PLUGIN_DATA_BYTES * 2) {
      throw new UsageError(`file '${file}' is larger than the plugin data limit of ${MAX_PLUGIN_DATA_BYTES} bytes`, 'data');
    }
    text = file === '-' ? await readAll(env.ctx.io.stdin, MAX_PLUGIN_DATA_BYTES * 2) : fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`unable to read file '${file}' - ${err instanceof Error ? errnoText(err) : String(err)}`, 'data');
  }
  const keys = new Set<string>();
  const lines: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const m = DATA_LINE.exec(line);
    if (!m) throw new UsageError(`line ${index + 1} of '${file}' is not a KEY=VALUE line (KEY: letters, digits, '_')`, 'data');
    if (keys.has(m[1]!)) throw new UsageError(`line ${index + 1} of '${file}' repeats the key '${m[1]}'`, 'data');
    keys.add(m[1]!);
    lines.push(line);
  });
  if (lines.length === 0) throw new UsageError(`file '${file}' has no KEY=VALUE lines`, 'data');
  return `${lines.join('\n')}\n`;
}

async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) throw new UsageError(`stdin holds more than the plugin data limit of ${MAX_PLUGIN_DATA_BYTES} bytes`, 'data');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
