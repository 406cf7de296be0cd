import { connect } from 'node:net';
import { fetchToken } from '../../sandbox/api-client';
import { DEMO_SKUS } from '../../sandbox/catalogue';
import { spawnEmulator } from '../../sandbox/emulator-process';

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('emulator: the spawned process', () => {
  test('when spawned with seed projects, then it serves OAuth and any project key, is seeded, and stops on request', async () => {
    const seeded = `emu-process-${Date.now()}`;
    const emulator = await spawnEmulator({ seedProjectKeys: [seeded] });
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const token = await fetchToken(emulator.url, { clientId: 'anyone', clientSecret: 'anything' });
      expect(token).toEqual(expect.any(String));

      const project = await fetch(`${emulator.url}/some-other-project`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(project.status).toBe(200);
      expect(await project.json()).toMatchObject({ key: 'some-other-project' });

      const products = await fetch(`${emulator.url}/${seeded}/products?limit=500`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const skus = (
        (await products.json()) as { results: Array<{ masterData: { current: { masterVariant: { sku: string } } } }> }
      ).results.map((product) => product.masterData.current.masterVariant.sku);
      expect(skus.length).toBe(4);
      expect(skus.every((sku) => DEMO_SKUS.includes(sku))).toBe(true);
    } finally {
      await emulator.stop();
    }
    expect(emulator.process.exitCode).toBe(0);
    expect(await portOpen(emulator.url)).toBe(false);
  });

  test('when the port is taken, then spawning rejects with the emulator error output', async () => {
    const first = await spawnEmulator();
    try {
      const port = Number(new URL(first.url).port);
      await expect(spawnEmulator({ port })).rejects.toThrow(/exited \(1\) before listening[\s\S]*EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
