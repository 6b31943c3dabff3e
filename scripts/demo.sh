#!/bin/sh
# The README's "run" command. Until ordering exists it shows what certnode offers.
set -eu
cd "$(dirname "$0")/.."
[ -f dist/src/main.js ] || npm run build
exec node bin/certnode.js --help
