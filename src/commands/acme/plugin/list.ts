// certnode acme plugin list [--type dns|standalone]

import { UsageError } from '../../../core/errors.ts';
import { loadPlugins } from '../../../core/config/repo.ts';
import { isPluginType, pluginView } from '../../../core/config/plugins.ts';
import type { ListColumn } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';

export interface ListOptions {
  type: string | undefined;
}

export const PLUGIN_COLUMNS: readonly ListColumn[] = [
  { key: 'plugin', always: true },
  { key: 'type', always: true },
  { key: 'address' },
  { key: 'api' },
  { key: 'data', shrinkFirst: true },
  { key: 'digest', shrinkFirst: true },
  { key: 'disable', align: 'right' },
  { key: 'nodes' },
  { key: 'port', align: 'right' },
  { key: 'validation-delay', align: 'right' },
];

export const command: LeafCommand<ListOptions> = {
  parse(_args, raw) {
    if (raw.type !== undefined && !isPluginType(raw.type)) {
      throw new UsageError(`value '${raw.type}' does not have a value in the enumeration 'dns, standalone'`, 'type');
    }
    return { type: raw.type };
  },
  async run(env, opts) {
    const { config, digest } = loadPlugins(env.paths);
    const rows = config.sections.filter((s) => opts.type === undefined || s.type === opts.type).map((s) => pluginView(s, digest));
    return { kind: 'list', data: rows, columns: PLUGIN_COLUMNS };
  },
};
