import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One function's size: the lines it spans less the lines of the functions nested in it (counted apart). */
export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  ownLines: number;
}

/** Every `.ts` file under `dir`, as paths relative to `root`, sorted. */
export function sourceFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full, root);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(root, full)] : [];
    })
    .sort();
}

/** The own length of every function, method, accessor and arrow in the TypeScript files under `dir`. */
export function functionLengths(dir: string): FunctionLength[] {
  return sourceFiles(dir).flatMap((file) => measureSource(file, readFileSync(path.join(dir, file), 'utf8')));
}

/** The own length of every function in one file's text. */
export function measureSource(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lengths: FunctionLength[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const span = (node: ts.Node) => lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1;
  // Each function's own lines: its span, less the spans of the functions directly inside it.
  const visit = (node: ts.Node, owner: { nested: number } | undefined) => {
    if (isFunctionLike(node)) {
      const own = { nested: 0 };
      ts.forEachChild(node, (child) => visit(child, own));
      if (owner) owner.nested += span(node);
      lengths.push({
        file,
        name: functionName(node, source),
        line: lineOf(node.getStart(source)) + 1,
        ownLines: span(node) - own.nested,
      });
      return;
    }
    ts.forEachChild(node, (child) => visit(child, owner));
  };
  visit(source, undefined);
  return lengths;
}

function isFunctionLike(node: ts.Node): node is ts.SignatureDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The name a reader would look for: the declaration's, else the variable or property it is assigned to. */
function functionName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source);
  return '(anonymous)';
}

// `npx tsx test/architecture/function-lengths.ts [dir] [min]` prints the longest functions.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = process.argv[2] ?? 'src';
  const min = Number(process.argv[3] ?? 60);
  for (const f of functionLengths(dir)
    .filter((f) => f.ownLines >= min)
    .sort((a, b) => b.ownLines - a.ownLines))
    console.log(`${String(f.ownLines).padStart(4)}  ${f.name}  ${dir}/${f.file}:${f.line}`);
}
