import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './function-lengths.js';

/** One import of one source file: static, `export … from`, or a dynamic `import('…')` with a literal path. */
export interface ImportEdge {
  /** The importing file, relative to the source root (`audit/table-checks.ts`). */
  from: string;
  /** The imported file relative to the source root, or the package name for a bare specifier. */
  to: string;
  line: number;
}

/** Every import in the TypeScript files under `root`, type-only ones included: a type is a dependency too. */
export function importEdges(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((file) => {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(root, file), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    const edges: ImportEdge[] = [];
    const add = (specifier: ts.Expression | undefined) => {
      if (!specifier || !ts.isStringLiteralLike(specifier)) return;
      const text = specifier.text;
      const to = text.startsWith('.')
        ? path.posix.join(path.posix.dirname(file), text).replace(/\.js$/, '.ts')
        : text;
      edges.push({
        from: file,
        to,
        line: source.getLineAndCharacterOfPosition(specifier.getStart(source)).line + 1,
      });
    };
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
        add(node.arguments[0]);
      ts.forEachChild(node, visit);
    };
    visit(source);
    return edges;
  });
}
