import pino from 'pino';
import { Writable } from 'node:stream';
import { agent } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

describe('request logs', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ deps: { logger: pino({ level: 'info' }, sink) } });
  });
  afterAll(() => ctx.close());

  test('when requests complete, then each logs one JSON line with route template, status, duration, clientId and correlation id, and no secrets', async () => {
    const session = await agent(ctx).post('/v1/sessions').set('X-Correlation-ID', 'trace-me-1').send({});
    await agent(ctx)
      .post(`/v1/sessions/${session.body.anonymousId}/sign-up`)
      .set('X-Correlation-ID', 'trace-me-2')
      .send({ email: `log-${Date.now()}@example.com`, password: 'Very-Secret-Pw-1' })
      .expect(201);
    const mine = lines.filter(
      (line) => typeof line.correlationId === 'string' && (line.correlationId as string).startsWith('trace-me-'),
    );
    expect(mine).toHaveLength(2);
    expect(mine[1]).toMatchObject({
      route: '/v1/sessions/{anonymousId}/sign-up',
      clientId: 'client-a',
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(KEYS.a);
    expect(text).not.toContain('Very-Secret-Pw-1');
    expect(text).not.toMatch(/authorization/i);
  });
});
