import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { StandaloneResponder } from '../../src/core/challenge/standalone.ts';

test('standalone responder serves exactly the challenge path, 404 otherwise, and closes', async () => {
  const responder = await StandaloneResponder.start({ pluginId: 'standalone', port: 0, address: '127.0.0.1' });
  const base = `http://127.0.0.1:${responder.port}`;
  try {
    responder.add('tok-1', 'tok-1.thumb');
    const ok = await fetch(`${base}/.well-known/acme-challenge/tok-1`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'tok-1.thumb');
    for (const path of ['/.well-known/acme-challenge/tok-2', '/.well-known/acme-challenge/tok-1/x', '/', '/.well-known/acme-challenge/']) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 404, path);
      assert.equal(await r.text(), 'Not found.');
    }
    assert.equal((await fetch(`${base}/.well-known/acme-challenge/tok-1`, { method: 'POST' })).status, 404);
    responder.remove('tok-1');
    assert.equal((await fetch(`${base}/.well-known/acme-challenge/tok-1`)).status, 404);
  } finally {
    await responder.close();
  }
  await assert.rejects(fetch(`${base}/`), /fetch failed/);
});

test('standalone responder listens dual-stack by default', async () => {
  const responder = await StandaloneResponder.start({ pluginId: 'standalone', port: 0, address: undefined });
  try {
    responder.add('t', 'k');
    assert.equal(await (await fetch(`http://127.0.0.1:${responder.port}/.well-known/acme-challenge/t`)).text(), 'k');
  } finally {
    await responder.close();
  }
});

test('a port in use gives one line that says which port and how to change it', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(StandaloneResponder.start({ pluginId: 'web', port, address: '127.0.0.1' }), {
      message: `standalone plugin 'web': port ${port} on 127.0.0.1 is already in use - stop the service that holds it, or forward another port to it and use 'certnode acme plugin set web --port <port>'`,
    });
  } finally {
    blocker.close();
  }
});

test('session.served: settles once the CA has fetched every http-01 token and then nothing for the quiet time; none for other challenges; cleanup stops it', async () => {
  const { ChallengeSession } = await import('../../src/core/challenge/session.ts');
  const { configPaths } = await import('../../src/core/paths.ts');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  await new Promise<void>((r) => blocker.close(() => r()));
  const plugin = { type: 'standalone', id: 'standalone', props: new Map([['port', String(port)], ['address', '127.0.0.1']]) };
  const session = new ChallengeSession({ info: () => undefined, warn: () => undefined }, {
    ctx: { env: {} } as never,
    paths: configPaths('/nonexistent'),
    sleep: async () => undefined,
    signal: new AbortController().signal,
    teardownSignal: new AbortController().signal,
  });
  const task = (name: string, token: string, type = 'http-01') => ({ name, domain: { domain: name, kind: 'dns', plugin: 'standalone', alias: undefined, source: 'domains' }, plugin, type, token, keyAuthorization: `${token}.thumb` }) as never;
  const tasks = [task('a.example', 'tok-a'), task('b.example', 'tok-b')];
  try {
    await session.prepare([{ name: 'a.example', plugin: plugin as never }]);
    await session.presentAll(tasks, ['a.example', 'b.example']);
    assert.equal(session.served([task('a.example', 'tok-a', 'dns-01'), task('b.example', 'tok-b')], 0), undefined, 'a dns-01 name gives no sign');
    assert.equal(session.served([], 0), undefined);
    let settled = false;
    const served = session.served(tasks, 5)!.then(() => (settled = true));
    const get = async (token: string) => assert.equal(await (await fetch(`http://127.0.0.1:${port}/.well-known/acme-challenge/${token}`)).text(), `${token}.thumb`);
    await get('tok-a');
    await get('tok-a');
    assert.equal((await fetch(`http://127.0.0.1:${port}/.well-known/acme-challenge/tok-b`, { method: 'HEAD' })).status, 200);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'one token never fetched (a HEAD does not count): no sign');
    await get('tok-b');
    await served;
    assert.equal(settled, true);
    // stopped by cleanup: never settles, holds nothing open (the test ends)
    let late = false;
    void session.served(tasks, 5)!.then(() => (late = true));
    await session.cleanup();
    assert.equal(late, false);
  } finally {
    await session.cleanup();
  }
});
