#!/bin/sh
# Fetch the map's JavaScript library from npm into netmon/export/web/vendor/, where it ships
# inside the wheel (the NOC may be offline: the map makes no request outside netmon).
#
#   tools/vendor-web.sh            fetch the version VENDOR.json names and check its integrity
#   tools/vendor-web.sh 3.36.0     move to another version (updates VENDOR.json; review the diff)
#
# Needs npm (Node.js 20+). Only at vendoring time: netmon never needs npm to run.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/netmon/export/web/vendor"
manifest="$dest/VENDOR.json"
name=cytoscape
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$manifest")
version=${1:-$want}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --json "$name@$version" > pack.json)
integrity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$work/pack.json")
if [ "$version" = "$want" ]; then
  recorded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["integrity"])' "$manifest")
  if [ "$integrity" != "$recorded" ]; then
    echo "vendor-web: $name@$version from npm has integrity $integrity, VENDOR.json says $recorded" >&2
    exit 1
  fi
fi
tar -xzf "$work/$name-$version.tgz" -C "$work" package/dist/cytoscape.min.js package/LICENSE package/package.json
cp "$work/package/dist/cytoscape.min.js" "$dest/cytoscape.min.js"
cp "$work/package/LICENSE" "$dest/cytoscape.LICENSE"
python3 - "$work/package/package.json" "$manifest" "$version" "$integrity" "$dest/cytoscape.min.js" <<'PY'
import hashlib, json, sys
pkg = json.load(open(sys.argv[1], encoding="utf-8"))
doc = {
    "name": pkg["name"],
    "version": sys.argv[3],
    "license": pkg["license"],
    "homepage": pkg.get("homepage", ""),
    "integrity": sys.argv[4],
    "file": "cytoscape.min.js",
    "sha256": hashlib.sha256(open(sys.argv[5], "rb").read()).hexdigest(),
    "licence_file": "cytoscape.LICENSE",
    "fetched_with": "tools/vendor-web.sh",
}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
PY
echo "vendor-web: $name $version ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "$manifest")) in $dest" >&2
