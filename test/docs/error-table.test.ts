import { readFileSync } from 'node:fs';
import { PROBLEM_KINDS } from '../../src/http/problem';
import {
  API_DOC,
  END_MARKER,
  START_MARKER,
  normaliseTable,
  renderErrorTable,
  tableIn,
  withErrorTable,
} from '../../scripts/docs-errors';

describe('the error table of docs/api.md', () => {
  test('when docs/api.md is read, then its error table is the one PROBLEM_KINDS renders (npm run docs:errors)', () => {
    // Arrange
    const document = readFileSync(API_DOC, 'utf8');

    // Act
    const inDocument = tableIn(document);

    // Assert
    expect(inDocument).toBe(normaliseTable(renderErrorTable()));
  });

  test('when the table is rendered, then every code has one row with its status, title and when', () => {
    // Arrange
    const codes = Object.keys(PROBLEM_KINDS) as (keyof typeof PROBLEM_KINDS)[];

    // Act
    const rows = renderErrorTable().split('\n').slice(2);

    // Assert
    expect(rows).toHaveLength(codes.length);
    for (const code of codes) {
      const { status, title, when } = PROBLEM_KINDS[code];
      expect(rows).toContain(`| ${status} | \`${code}\` | ${title} | ${when} |`);
    }
  });

  test('when the table is rendered, then rows are sorted by status, then code', () => {
    // Arrange
    const kinds = {
      B: { status: 409, title: 'b', when: 'b' },
      A: { status: 409, title: 'a', when: 'a' },
      C: { status: 400, title: 'c', when: 'c | pipe' },
    };

    // Act
    const rows = renderErrorTable(kinds).split('\n').slice(2);

    // Assert
    expect(rows).toEqual(['| 400 | `C` | c | c \\| pipe |', '| 409 | `A` | a | a |', '| 409 | `B` | b | b |']);
  });

  test('when a code changes, then the document no longer matches until the table is written again', () => {
    // Arrange
    const document = readFileSync(API_DOC, 'utf8');
    const changed = { ...PROBLEM_KINDS, SessionEnded: { ...PROBLEM_KINDS.SessionEnded, when: 'something else' } };

    // Act
    const stale = tableIn(document) === normaliseTable(renderErrorTable(changed));
    const rewritten = tableIn(withErrorTable(document, renderErrorTable(changed)));

    // Assert
    expect(stale).toBe(false);
    expect(rewritten).toBe(normaliseTable(renderErrorTable(changed)));
  });

  test('when the markers are missing, then writing the table fails naming them', () => {
    // Arrange
    const document = '# API\n\nno table here\n';

    // Act
    const write = () => withErrorTable(document, renderErrorTable());

    // Assert
    expect(write).toThrow(`${START_MARKER} ... ${END_MARKER}`);
  });
});
