// Jest resolver: the project's own `#name` imports (package.json "imports") go to their TypeScript
// sources (the "types" entry), but only for the project's files. Packages in node_modules have
// `#name` imports of their own (OpenTelemetry's `#platform`), which a global moduleNameMapper
// entry would send to ours; those resolve as Node resolves them.
const { readFileSync } = require('node:fs');
const { join, sep } = require('node:path');

let imports;
function ownImports(rootDir) {
  imports ??= JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')).imports ?? {};
  return imports;
}

module.exports = (request, options) => {
  if (request.startsWith('#') && !options.basedir.includes(`${sep}node_modules${sep}`)) {
    const entry = ownImports(options.rootDir)[request];
    if (entry && typeof entry.types === 'string') return join(options.rootDir, entry.types);
  }
  return options.defaultResolver(request, options);
};
