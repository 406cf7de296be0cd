import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** README.md and every markdown file under docs/. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs];
}

/** Targets of inline links `[text](target)`, leaving out code, where brackets mean something else. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's anchors of a markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const headings = [...prose.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1] ?? '');
  return new Set(
    headings.map((heading) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Why a link from `file` is broken, or undefined when its file (and anchor, in markdown) exist. */
function brokenBecause(file: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (!existsSync(linked)) return 'no such file';
  if (anchor === undefined || !linked.endsWith('.md')) return undefined;
  return anchors(readFileSync(linked, 'utf8')).has(anchor) ? undefined : 'no such heading';
}

describe('links in README.md and docs/', () => {
  test('when the markdown is parsed, then inline links outside code are found and external ones left out', () => {
    // Arrange
    const markdown = [
      'See [api](docs/api.md#errors) and [ops](./operations.md "title").',
      '[site](https://example.com) [mail](mailto:a@b.c) [anchor](#top)',
      '`[not](a-link.md)`',
      '```sh',
      '[also](not-a-link.md)',
      '```',
    ].join('\n');

    // Act
    const links = relativeLinks(markdown);

    // Assert
    expect(links).toEqual(['docs/api.md#errors', './operations.md', '#top']);
  });

  test('when a heading is turned into an anchor, then it is the one GitHub makes', () => {
    // Arrange
    const markdown = '# Idempotency-Key (every POST under /v1)\n## Calling it from `TypeScript`\n';

    // Act
    const made = anchors(markdown);

    // Assert
    expect([...made]).toEqual(['idempotency-key-every-post-under-v1', 'calling-it-from-typescript']);
  });

  test('when every relative link is followed, then it points at an existing file and heading', () => {
    // Arrange
    const files = markdownFiles();

    // Act
    const broken = files.flatMap((file) =>
      relativeLinks(readFileSync(file, 'utf8')).flatMap((target) => {
        const reason = brokenBecause(file, target);
        return reason ? [`${relative(ROOT, file)} -> ${target}: ${reason}`] : [];
      }),
    );

    // Assert
    expect(files.length).toBeGreaterThan(1);
    expect(broken).toEqual([]);
  });
});
