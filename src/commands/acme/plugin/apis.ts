// certnode acme plugin apis [<api>]: the DNS API scripts found and the fields their info blocks name.

import { checkDnsApi } from '../../../core/config/formats.ts';
import { listDnsApis, readApiInfo, type ApiField, type ApiInfo } from '../../../core/challenge/dnsapi-scripts.ts';
import type { ListColumn, Result } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';
import { requireDnsApiScript, searchDirs } from './dnsapi.ts';

/** The fields column shows the names; JSON carries the field objects, as `plugin apis <api>` does. */
const fieldNames = (fields: unknown): string => (Array.isArray(fields) ? fields.map((f: { name: string }) => f.name).join(',') : '');
const LIST_COLUMNS: readonly ListColumn[] = [{ key: 'api', always: true }, { key: 'name', always: true }, { key: 'fields', text: fieldNames }];
const FIELD_COLUMNS: readonly ListColumn[] = [
  { key: 'name', always: true },
  { key: 'optional', always: true },
  { key: 'default' },
  { key: 'group' },
  { key: 'description' },
];
const DETAIL_KEYS = ['api', 'name', 'description', 'site', 'docs', 'issues', 'author', 'domains', 'options', 'options-alt', 'script'];

function fieldObject(f: ApiField): Record<string, unknown> {
  return { name: f.name, optional: f.optional, default: f.default, group: f.group, description: f.description };
}

/** Documented fields; the ones only the code reveals when the block names none. */
export function promptableFieldNames(info: ApiInfo): string[] {
  const documented = info.fields.filter((f) => f.group !== 'code');
  return (documented.length ? documented : info.fields).map((f) => f.name);
}

export const command: LeafCommand<{ api: string | undefined }> = {
  parse(args) {
    const api = args[0];
    return { api: api === undefined ? undefined : checkDnsApi(api) };
  },
  async run(env, opts): Promise<Result> {
    if (opts.api === undefined) {
      const dirs = searchDirs(env);
      const rows = listDnsApis(dirs).map((found) => {
        const info = readApiInfo(found);
        const names = new Set(promptableFieldNames(info));
        return { api: info.api, name: info.name, fields: info.fields.filter((f) => names.has(f.name)).map(fieldObject), script: found.script };
      });
      if (rows.length === 0 && !env.globals.quiet) {
        env.ctx.io.stderr.write(
          `no DNS API scripts (dns_<api>.sh) found; looked in: ${dirs.map((d) => `${d.dir} (${d.source})`).join(', ')}. Install acme.sh's dnsapi scripts or point CERTNODE_DNSAPI_DIR (or certnode config set --dnsapi-dir) at them\n`,
        );
      }
      return { kind: 'list', data: rows, columns: LIST_COLUMNS };
    }
    const script = requireDnsApiScript(env, opts.api);
    const info = readApiInfo({ api: opts.api, script });
    const detail: Record<string, unknown> = {
      api: info.api,
      name: info.name,
      description: info.description,
      site: info.site,
      docs: info.docs,
      issues: info.issues,
      author: info.author,
      domains: info.domains,
      options: info.optionsTitle,
      'options-alt': info.optionsAltTitle,
      script,
      ...Object.fromEntries(Object.entries(info.other).map(([k, v]) => [k.toLowerCase(), v])),
    };
    const keys = [...DETAIL_KEYS, ...Object.keys(info.other).map((k) => k.toLowerCase()).sort()];
    const fields = info.fields.map(fieldObject);
    return {
      kind: 'sections',
      parts: [
        { kind: 'object', data: detail, keys },
        { kind: 'list', data: fields, columns: FIELD_COLUMNS },
      ],
      data: { ...detail, fields },
    };
  },
};
