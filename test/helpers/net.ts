// Network assertions shared by the e2e tests.

import { createServer } from 'node:net';

/** Fails unless `port` on 127.0.0.1 can be bound right now (a listener was closed). */
export async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
