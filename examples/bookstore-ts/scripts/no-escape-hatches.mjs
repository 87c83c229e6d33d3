// Fails if the hand-written sources step around the generated types: `any`, a type
// assertion (`x as T`, `<T>x`; `as const` is fine), a non-null assertion (`x!`), or a
// `@ts-ignore`/`@ts-expect-error`/`@ts-nocheck` comment. `tsc --strict` cannot see these:
// each one compiles. Uses the pinned TypeScript's own parser.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = new URL("../src/", import.meta.url).pathname;
const files = readdirSync(root)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
  .map((name) => join(root, name));

const findings = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const report = (node, what) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    findings.push(`${file}:${line + 1}:${character + 1}: ${what}: ${node.getText(source).slice(0, 80)}`);
  };
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      report(node, "`any`");
    } else if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const isConst = ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(source) === "const";
      if (!isConst) report(node, "type assertion");
    } else if (ts.isNonNullExpression(node)) {
      report(node, "non-null assertion");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const match of text.matchAll(/@ts-(ignore|expect-error|nocheck)/g)) {
    const { line } = source.getLineAndCharacterOfPosition(match.index);
    findings.push(`${file}:${line + 1}: @ts-${match[1]}`);
  }
}

if (findings.length > 0) {
  console.error("the client must use the generated types as they are:");
  for (const finding of findings) console.error(`  ${finding}`);
  process.exit(1);
}
console.log(`no any, casts or ts-ignore in ${files.length} source file(s)`);
