// certnode acme plugin apis [<api>]: the DNS API scripts found and the fields their info blocks name.

import { checkDnsApi } from '../../../core/config/formats.ts';
import { listDnsApis, readApiInfo, type ApiInfo } from '../../../core/challenge/dnsapi-scripts.ts';
import type { ListColumn, Result } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';
import { requireDnsApiScript, searchDirs } from './dnsapi.ts';

const LIST_COLUMNS: readonly ListColumn[] = [{ key: 'api', always: true }, { key: 'name', always: true }, { key: 'fields' }];
const FIELD_COLUMNS: readonly ListColumn[] = [
  { key: 'name', always: true },
  { key: 'optional', always: true },
  { key: 'default' },
  { key: 'group' },
  { key: 'description' },
];
const DETAIL_KEYS = ['api', 'name', 'description', 'site', 'docs', 'issues', 'author', 'domains', 'options', 'options-alt', 'script'];

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
      const rows = listDnsApis(searchDirs(env)).map((found) => {
        const info = readApiInfo(found);
        return { api: info.api, name: info.name, fields: promptableFieldNames(info).join(','), script: found.script };
      });
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
    const fields = info.fields.map((f) => ({ name: f.name, optional: f.optional, default: f.default, group: f.group, description: f.description }));
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
