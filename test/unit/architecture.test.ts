/**
 * The architecture as tests: no import cycles; each folder imports only the folders its row names (as its README says);
 * one adapter owns fluent-ffmpeg; only the CLI touches the process; every file says what it is for; model.ts is types.
 * Reads src/ and workers/ as text, parsed by the TypeScript compiler, so comments and strings never count as code.
 * Every check is a function of {path: text}; the last block breaks each rule in made-up files to show the check fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Repository-relative path ('src/run/convert.ts') -> text. */
type Files = Map<string, string>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Who may import whom: a row per folder of src/ (and workers/, and each top-level module), naming the folders it may
 * import besides its own. Each folder's README.md says the same ("May import: ..."). The shared top-level modules below
 * are importable by all; src/index.ts (the public API) and workers/ by none.
 */
const MAY_IMPORT: Record<string, string[]> = {
  cli: ['demo', 'ffmpeg', 'presets', 'run', 'serve'],
  run: ['ffmpeg', 'plan', 'presets', 'sources', 'store', 'tagging', 'transcode'],
  sources: ['ffmpeg', 'store', 'tagging'],
  plan: ['presets', 'sources', 'tagging'],
  transcode: ['ffmpeg', 'presets', 'sources', 'store', 'tagging'],
  ffmpeg: ['presets'],
  store: ['presets', 'sources', 'tagging', 'transcode'],
  presets: ['tagging'],
  tagging: ['sources'],
  demo: ['ffmpeg'],
  serve: ['ffmpeg', 'plan', 'presets', 'sources', 'store', 'tagging', 'transcode'],
  workers: ['ffmpeg', 'sources', 'store', 'tagging', 'transcode'],
  'index.ts': ['demo', 'ffmpeg', 'presets', 'run', 'serve', 'store'],
  // model.ts names types from these folders (type-only imports; see "src/model.ts holds types only").
  'model.ts': ['presets', 'sources', 'tagging'],
  'errors.ts': [],
  'checks.ts': [],
  'tolerances.ts': [],
  'paths.ts': [],
  'version.ts': [],
};
const SHARED = new Set(['errors.ts', 'model.ts', 'checks.ts', 'tolerances.ts', 'paths.ts', 'version.ts']);

/**
 * Files that do not open with what they are for yet: each opens with imports, and its first comment is an export's.
 * A one-line fix in the file; the test fails until the fixed file's row is removed here too.
 */
const NO_PURPOSE_YET: string[] = [];

/**
 * Touching the process: ending it, reading its arguments, listening to its events and signals, using its streams.
 * Reading process.env or process.pid, and process.kill(pid, 0) to ask whether another run is alive (the lock and the
 * temporaries sweep do that), are not. An import of node:process counts, so the check cannot be sidestepped by name.
 */
const PROCESS_MEMBERS = new Set(
  'exit exitCode argv on once off addListener prependListener prependOnceListener removeListener removeAllListeners stdin stdout stderr'.split(
    ' ',
  ),
);

function readTree(...dirs: string[]): Files {
  const files: Files = new Map();
  const walk = (dir: string): void => {
    for (const e of readdirSync(ROOT + dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) files.set(path, readFileSync(ROOT + path, 'utf8'));
    }
  };
  dirs.forEach(walk);
  return files;
}

const parsed = new Map<string, ts.SourceFile>();
const parse = (path: string, text: string) => {
  const key = `${path}\0${text}`;
  if (!parsed.has(key)) parsed.set(key, ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
  return parsed.get(key)!;
};
const lineOf = (sf: ts.SourceFile, n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;

/** The row a file belongs to: its folder under src/ ('run'), a top-level module ('model.ts'), or 'workers'. */
const partOf = (path: string) => {
  const [top, first] = path.split('/');
  return top === 'src' ? first : top;
};

interface Import {
  spec: string;
  line: number;
  to?: string;
}

/** Every module a file names: import/export ... from, import type, import('x') in code or types, require('x'). */
function importsOf(path: string, files: Files): Import[] {
  const sf = parse(path, files.get(path)!);
  const out: Import[] = [];
  const add = (n: ts.Node, lit: ts.Node | undefined) => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    const base = posix.join(posix.dirname(path), lit.text);
    const to = lit.text.startsWith('.')
      ? [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`].find((p) => files.has(p))
      : undefined;
    out.push({ spec: lit.text, line: lineOf(sf, n), ...(to ? { to } : {}) });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) add(n, n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference))
      add(n, n.moduleReference.expression);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n, n.argument.literal);
    else if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(n.expression) && n.expression.text === 'require'))
    )
      add(n, n.arguments[0]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Relative imports that name no module (a JSON file on disk is fine): the graph would silently miss them. */
const unresolvedImports = (files: Files) =>
  [...files.keys()].flatMap((path) =>
    importsOf(path, files)
      .filter((i) => i.spec.startsWith('.') && !i.to && !existsSync(ROOT + posix.join(posix.dirname(path), i.spec)))
      .map((i) => `${path}:${i.line} imports '${i.spec}', which names no file`),
  );

/** Each import cycle as its path, 'a.ts -> b.ts -> a.ts'. */
function findCycles(files: Files): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (path: string): void => {
    state.set(path, 'open');
    stack.push(path);
    for (const to of new Set(importsOf(path, files).flatMap((i) => (i.to ? [i.to] : [])))) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' -> '));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of [...files.keys()].sort()) if (!state.has(path)) visit(path);
  return cycles;
}

/** Imports that cross into a folder the importer's row does not list (of the files of one row, when given). */
const boundaryViolations = (files: Files, row?: string) =>
  [...files.keys()]
    .filter((path) => !row || partOf(path) === row)
    .flatMap((path) =>
      importsOf(path, files).flatMap((i) => {
        const [from, to] = [partOf(path), i.to && partOf(i.to)];
        if (!to || to === from || SHARED.has(to) || MAY_IMPORT[from]?.includes(to)) return [];
        return [`${path}:${i.line} imports '${i.spec}' (${to}), which the ${from} row does not allow`];
      }),
    );

/** Files that import a package (or one of its subpaths). */
const importersOf = (pkg: string) => (files: Files) =>
  [...files.keys()]
    .filter((path) => importsOf(path, files).some((i) => i.spec === pkg || i.spec.startsWith(`${pkg}/`)))
    .sort();

/** Places outside src/cli/ that touch the process (see PROCESS_MEMBERS). */
const processTouches = (files: Files) =>
  [...files]
    .filter(([path]) => !path.startsWith('src/cli/'))
    .flatMap(([path, text]) => {
      const sf = parse(path, text);
      const out: string[] = [];
      const isProcess = (e: ts.Node) =>
        (ts.isIdentifier(e) && e.text === 'process') ||
        (ts.isPropertyAccessExpression(e) && e.name.text === 'process' && e.expression.getText(sf) === 'globalThis');
      const hit = (n: ts.Node, name: string) => {
        if (PROCESS_MEMBERS.has(name)) out.push(`${path}:${lineOf(sf, n)} process.${name}`);
      };
      const visit = (n: ts.Node): void => {
        if (ts.isPropertyAccessExpression(n) && isProcess(n.expression)) hit(n, n.name.text);
        else if (
          ts.isElementAccessExpression(n) &&
          isProcess(n.expression) &&
          ts.isStringLiteralLike(n.argumentExpression)
        ) {
          hit(n, n.argumentExpression.text);
        } else if (
          ts.isVariableDeclaration(n) &&
          n.initializer &&
          isProcess(n.initializer) &&
          ts.isObjectBindingPattern(n.name)
        ) {
          for (const el of n.name.elements) hit(el, (el.propertyName ?? el.name).getText(sf));
        } else if (ts.isImportDeclaration(n) && /^['"](node:)?process['"]$/.test(n.moduleSpecifier.getText(sf))) {
          out.push(`${path}:${lineOf(sf, n)} imports ${n.moduleSpecifier.getText(sf)}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
      return out;
    });

/** Files that do not open with what they are for: a `/**` or `//` comment of a few words within the first 3 lines. */
const withoutPurpose = (files: Files) =>
  [...files]
    .filter(([, text]) => {
      const lines = text.split('\n');
      const at = lines.slice(0, 3).findIndex((l) => /^\s*(\/\*\*|\/\/)/.test(l));
      if (at < 0) return true;
      const rest = lines.slice(at).join('\n').trimStart();
      const body = rest.startsWith('//') ? rest.split('\n')[0].slice(2) : rest.slice(3, rest.indexOf('*/'));
      return /^[\s*]*(@|eslint|prettier)/.test(body) || (body.match(/[A-Za-z]{2,}/g) ?? []).length < 3;
    })
    .map(([path]) => path);

/** A statement that leaves nothing at run time: an interface, a type alias, `import type`, `export type`. */
const isTypeOnly = (s: ts.Statement) =>
  ts.isInterfaceDeclaration(s) ||
  ts.isTypeAliasDeclaration(s) ||
  (ts.isImportDeclaration(s) && !!s.importClause?.isTypeOnly) ||
  (ts.isExportDeclaration(s) && s.isTypeOnly);

/** Statements of src/model.ts that are not types only. */
const runtimeInModel = (files: Files) =>
  [...files]
    .filter(([path]) => path === 'src/model.ts')
    .flatMap(([path, text]) => {
      const sf = parse(path, text);
      const runtime = sf.statements.filter((s) => !isTypeOnly(s));
      return runtime.map((s) => `${path}:${lineOf(sf, s)} ${s.getText(sf).split('\n')[0]}`);
    });

const tree = readTree('src', 'workers');
const folders = [
  ...new Set([...tree.keys()].filter((p) => p.split('/').length > 2 && p.startsWith('src/')).map(partOf)),
];

describe('imports', () => {
  it('every relative import names a file that exists', () => expect(unresolvedImports(tree)).toEqual([]));
  it('no import cycles among modules, type-only imports included', () => expect(findCycles(tree)).toEqual([]));
  it('every folder and top-level module has a row, and every row has files', () => {
    expect(Object.keys(MAY_IMPORT).sort()).toEqual([...new Set([...tree.keys()].map(partOf))].sort());
  });
  const rows = Object.entries(MAY_IMPORT).map(([row, may]) => [row, may.join(', ') || 'only the shared modules']);
  it.each(rows)('%s may import: %s', (row) => expect(boundaryViolations(tree, row)).toEqual([]));
  it.each(folders)('src/%s/README.md names the folders of its row', (folder) => {
    const path = `${ROOT}src/${folder}/README.md`;
    const mayImport = existsSync(path) ? /May import:([^.]*)/.exec(readFileSync(path, 'utf8'))?.[1] : undefined;
    expect([...(mayImport ?? '').matchAll(/`([\w-]+)`/g)].map((m) => m[1]).sort()).toEqual(
      [...(MAY_IMPORT[folder] ?? [])].sort(),
    );
  });
  it('only src/ffmpeg/adapter.ts imports fluent-ffmpeg', () => {
    expect(importersOf('fluent-ffmpeg')(tree)).toEqual(['src/ffmpeg/adapter.ts']);
  });
});

describe('files', () => {
  it('only src/cli/ touches the process (argv, exit, signals, stdio); bin/ is outside src/', () => {
    expect(processTouches(tree)).toEqual([]);
  });
  it('every file opens with a comment saying what it is for (NO_PURPOSE_YET lists those that do not yet)', () => {
    const message = 'files not opening with what they are for; NO_PURPOSE_YET must list exactly these';
    expect(withoutPurpose(tree), message).toEqual([...NO_PURPOSE_YET].sort());
  });
  it('src/model.ts holds types only: no runtime exports, type-only imports', () =>
    expect(runtimeInModel(tree)).toEqual([]));
});

/** A rule broken in made-up files: [what, the check, {path: text}, what the check must report]. */
type Broken = [name: string, check: (files: Files) => string[], files: Record<string, string>, expected: string[]];
const BROKEN: Broken[] = [
  [
    'a cycle through a type-only import',
    findCycles,
    { 'src/plan/a.ts': "import type { B } from './b.js';", 'src/plan/b.ts': "import { a } from './a.js';" },
    ['src/plan/a.ts -> src/plan/b.ts -> src/plan/a.ts'],
  ],
  [
    'an import naming no file',
    unresolvedImports,
    { 'src/plan/a.ts': "import { x } from './gone.js';" },
    ["src/plan/a.ts:1 imports './gone.js', which names no file"],
  ],
  [
    'an import across a line the table does not draw',
    boundaryViolations,
    { 'src/plan/a.ts': "// a\nexport type R = import('../run/convert.js').R;", 'src/run/convert.ts': '' },
    ["src/plan/a.ts:2 imports '../run/convert.js' (run), which the plan row does not allow"],
  ],
  [
    'fluent-ffmpeg outside the adapter',
    importersOf('fluent-ffmpeg'),
    { 'src/ffmpeg/adapter.ts': "import f from 'fluent-ffmpeg';", 'src/run/a.ts': "await import('fluent-ffmpeg');" },
    ['src/ffmpeg/adapter.ts', 'src/run/a.ts'],
  ],
  [
    'the process touched outside src/cli/',
    processTouches,
    {
      'src/cli/ok.ts': 'process.exit(1);',
      'src/store/a.ts':
        "// process.exit(1) in a comment is not code\nprocess.stdout.write('x');\nconst { argv } = process;\n" +
        "process.on('x', f);\nglobalThis.process['exit'](1);\nimport { env } from 'node:process';",
    },
    [
      'src/store/a.ts:2 process.stdout',
      'src/store/a.ts:3 process.argv',
      'src/store/a.ts:4 process.on',
      'src/store/a.ts:5 process.exit',
      "src/store/a.ts:6 imports 'node:process'",
    ],
  ],
  [
    'files that do not open with their purpose',
    withoutPurpose,
    {
      'src/a.ts': "import x from 'y';\nimport z from 'w';\nimport q from 'v';\n/** Later, on an export. */",
      'src/b.ts': '// @ts-nocheck\n',
      'src/c.ts': '\n/**\n * Says what it is for.\n */',
    },
    ['src/a.ts', 'src/b.ts'],
  ],
  [
    'runtime code in model.ts',
    runtimeInModel,
    { 'src/model.ts': "import { X } from './x.js';\nexport type A = 1;\nexport const B = 2;\nexport function f() {}" },
    [
      "src/model.ts:1 import { X } from './x.js';",
      'src/model.ts:3 export const B = 2;',
      'src/model.ts:4 export function f() {}',
    ],
  ],
];

describe('each check fails when its rule is broken (made-up files)', () => {
  it.each(BROKEN)('%s', (_name, check, files, expected) =>
    expect(check(new Map(Object.entries(files)))).toEqual(expected),
  );
});
