#!/usr/bin/env bash
# Rebuilds plotly-report.min.js: plotly.js with only the trace types the reports draw (scatter, in the core,
# and bar), about a quarter of the full bundle, so report.html stays small enough to mail. Match the version
# to the plotly.js that the installed plotly package embeds (python3 -c "import plotly, pathlib;
# print(open(pathlib.Path(plotly.__file__).parent / 'package_data/plotly.min.js').readline())").
set -euo pipefail
VERSION="${1:-4.1.1}"
work="$(mktemp -d)"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$work"
npm install --no-audit --no-fund --ignore-scripts "plotly.js@$VERSION" esbuild >/dev/null
cat > entry.js <<'JS'
// plotly.js with only the trace types the reports draw: scatter (in the core) and bar
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar')]);
module.exports = Plotly;
JS
# map styles (maplibre) go to a separate .css that is not shipped: the reports draw no maps
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --define:global=window \
  --define:define.amd=false --target=es2016 --legal-comments=eof --outfile=out/plotly-report.min.js
{ echo "/* plotly.js v$VERSION (MIT, Copyright Plotly, Inc.), scatter and bar only: built by build.sh */"
  cat out/plotly-report.min.js; } > "$here/plotly-report.min.js"
echo "wrote $here/plotly-report.min.js ($(wc -c < "$here/plotly-report.min.js") bytes)"
