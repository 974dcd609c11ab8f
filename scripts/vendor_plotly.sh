#!/usr/bin/env bash
# Vendor plotly.js for the HTML report: npm's plotly.js-basic-dist-min (the scatter, bar
# and pie traces; the report draws only scatter and bar) into
# src/narrowgate/report/vendor/, with its license and a record of where it came from.
#
# Why vendored: the report's charts need plotly.js, and taking it from the Python plotly
# package put plotly (about 50 MB installed) into the core install for one 4.8 MB file;
# the basic bundle is 1.2 MB. Same plotly.js version as before (4.1.1), so charts draw
# the same. Needs npm (the registry only; nothing is installed). Re-run to upgrade:
#     scripts/vendor_plotly.sh [VERSION]     # default 4.1.1
# then run the report's browser tests (NARROWGATE_REQUIRE_BROWSER=1).
set -euo pipefail

VERSION="${1:-4.1.1}"
PACKAGE="plotly.js-basic-dist-min"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/narrowgate/report/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

( cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" > /dev/null )
TARBALL="$WORK/$PACKAGE-$VERSION.tgz"
tar -xzf "$TARBALL" -C "$WORK"
head -c 200 "$WORK/package/plotly-basic.min.js" | grep -q "plotly.js (basic - minified) v$VERSION" || {
  echo "vendor_plotly: $TARBALL does not hold plotly.js basic v$VERSION" >&2; exit 1; }

mkdir -p "$DEST"
cp "$WORK/package/plotly-basic.min.js" "$DEST/plotly.min.js"
cp "$WORK/package/LICENSE" "$DEST/plotly.LICENSE"
{
  echo "package: $PACKAGE"
  echo "version: $VERSION"
  echo "tarball_sha256: $(sha256sum "$TARBALL" | cut -d' ' -f1)"
  echo "plotly.min.js_sha256: $(sha256sum "$DEST/plotly.min.js" | cut -d' ' -f1)"
  echo "plotly.min.js_bytes: $(wc -c < "$DEST/plotly.min.js" | tr -d ' ')"
  echo "source: https://www.npmjs.com/package/$PACKAGE (npm pack)"
} > "$DEST/plotly.SOURCE"
echo "vendored $PACKAGE $VERSION into $DEST ($(wc -c < "$DEST/plotly.min.js" | tr -d ' ') bytes)"
