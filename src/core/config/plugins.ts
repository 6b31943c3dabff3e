// The challenge-plugin model on top of plugins.cfg: views, validation, add/set/remove (pure).

import { UsageError } from '../errors.ts';
import { checkPluginData } from './formats.ts';
import { decodePluginData, encodePluginData, STANDALONE_ID, type PluginSection, type PluginsConfig } from './plugins-cfg.ts';

export const PLUGIN_TYPES = ['dns', 'standalone'] as const;
export type PluginType = (typeof PLUGIN_TYPES)[number];

/** Options each plugin type accepts (besides its type and id). */
export const PLUGIN_PROPERTIES: Record<PluginType, readonly string[]> = {
  dns: ['api', 'data', 'disable', 'nodes', 'propagation', 'validation-delay'],
  standalone: ['address', 'challenge', 'disable', 'nodes', 'port'],
};
const REQUIRED: Record<PluginType, readonly string[]> = { dns: ['api'], standalone: [] };

export const DEFAULT_VALIDATION_DELAY = 30;
export const PROPAGATION_MODES = ['check', 'sleep'] as const;
export type PropagationMode = (typeof PROPAGATION_MODES)[number];
export const MAX_VALIDATION_DELAY = 172800;
export const DEFAULT_STANDALONE_PORT = 80;

/** Values given on the command line for add/set, already validated one by one. */
export interface PluginInput {
  api?: string;
  /** Decoded KEY=VALUE text. */
  data?: string;
  disable?: boolean;
  nodes?: string;
  'validation-delay'?: number;
  /** How a dns plugin waits for its record: check the name servers, or sleep validation-delay. */
  propagation?: PropagationMode;
  port?: number;
  address?: string;
  /** The standalone plugin's challenge: http-01 (default) or tls-alpn-01. */
  challenge?: 'http-01' | 'tls-alpn-01';
}

export interface PluginView {
  plugin: string;
  type: string;
  digest: string;
  [key: string]: string | number | undefined;
}

const NUMERIC = new Set(['validation-delay', 'port', 'disable']);

/** What `plugin list` / `plugin config` show: data decoded, numbers as numbers, unknown keys as stored. */
export function pluginView(section: PluginSection, digest: string): PluginView {
  const view: PluginView = { plugin: section.id, type: section.type, digest };
  for (const [key, value] of section.props) {
    if (key === 'data') view.data = decodePluginData(value) ?? value;
    else if (NUMERIC.has(key) && /^\d+$/.test(value)) view[key] = Number(value);
    else view[key] = value;
  }
  return view;
}

export function isPluginType(type: string): type is PluginType {
  return (PLUGIN_TYPES as readonly string[]).includes(type);
}

export function findPlugin(cfg: PluginsConfig, id: string): PluginSection | undefined {
  return cfg.sections.find((s) => s.id === id);
}

function checkAllowed(type: PluginType, input: PluginInput): void {
  for (const key of Object.keys(input) as (keyof PluginInput)[]) {
    if (input[key] === undefined) continue;
    if (!PLUGIN_PROPERTIES[type].includes(key)) throw new UsageError(`unexpected property '${key}'`, key);
  }
}

function applyInput(section: PluginSection, input: PluginInput): void {
  for (const [key, value] of Object.entries(input) as [keyof PluginInput, PluginInput[keyof PluginInput]][]) {
    if (value === undefined) continue;
    if (key === 'data') section.props.set('data', encodePluginData(checkPluginData(value as string)));
    else if (key === 'disable') {
      if (value) section.props.set('disable', '1');
      else section.props.delete('disable');
    } else section.props.set(key, String(value));
  }
}

/**
 * Add a plugin. Returns false when a plugin of that id already exists exactly as asked (same type,
 * same properties, data compared decoded): provisioning run twice is not an error. Any
 * difference is ("already exists").
 */
export function addPlugin(cfg: PluginsConfig, type: string, id: string, input: PluginInput): boolean {
  if (!isPluginType(type)) throw new UsageError(`value '${type}' does not have a value in the enumeration 'dns, standalone'`, 'type');
  checkAllowed(type, input);
  for (const key of REQUIRED[type]) {
    if (input[key as keyof PluginInput] === undefined) throw new UsageError(`missing value for required option '${key}'`, key);
  }
  const section: PluginSection = { type, id, props: new Map() };
  applyInput(section, input);
  const existing = findPlugin(cfg, id);
  if (existing) {
    if (samePlugin(existing, section)) return false;
    throw new UsageError(`ACME plugin ID '${id}' already exists with other settings - change it with certnode acme plugin set ${id}`, 'id');
  }
  cfg.sections.push(section);
  return true;
}

function samePlugin(a: PluginSection, b: PluginSection): boolean {
  const props = (s: PluginSection): string =>
    JSON.stringify([...s.props].map(([k, v]) => [k, k === 'data' ? (decodePluginData(v) ?? v) : v]).sort(([x], [y]) => (x! < y! ? -1 : x! > y! ? 1 : 0)));
  return a.type === b.type && props(a) === props(b);
}

export function setPlugin(cfg: PluginsConfig, id: string, input: PluginInput, deletes: readonly string[]): void {
  const section = findPlugin(cfg, id);
  if (!section) throw new UsageError(`ACME plugin ID '${id}' does not exist`, 'id');
  const type = section.type;
  if (!isPluginType(type)) throw new UsageError(`cannot update plugin '${id}' of unknown type '${type}'`, 'id');
  checkAllowed(type, input);
  for (const key of deletes) {
    if (REQUIRED[type].includes(key)) throw new UsageError(`unable to delete required option '${key}'`, 'delete');
    if (!PLUGIN_PROPERTIES[type].includes(key)) throw new UsageError(`no such option '${key}'`, 'delete');
    if (input[key as keyof PluginInput] !== undefined) throw new UsageError(`cannot set and delete option '${key}' at the same time`, 'delete');
  }
  for (const key of deletes) section.props.delete(key);
  applyInput(section, input);
}

/** Removes the plugin; unknown ids are fine (pvenode). Removing 'standalone' resets it. */
export function removePlugin(cfg: PluginsConfig, id: string): void {
  const index = cfg.sections.findIndex((s) => s.id === id);
  if (index === -1) return;
  // the standalone plugin is reset in place (its header stays where it is in the file)
  if (id === STANDALONE_ID) cfg.sections[index]!.props.clear();
  else cfg.sections.splice(index, 1);
}
