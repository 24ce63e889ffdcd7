#!/usr/bin/env bash
# Re-packs the metadata-only redirect packages in this folder (see the README, "The Marten
# dependency gap"). A .nupkg is a zip holding the .nuspec at its root plus [Content_Types].xml.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/[Content_Types].xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
</Types>
XML
for spec in *.nuspec; do
  id=$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$spec")
  version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$spec")
  out="$(echo "$id" | tr '[:upper:]' '[:lower:]').$version.nupkg"
  rm -f "$out"
  cp "$spec" "$work/$id.nuspec"
  (cd "$work" && zip -q -X "$OLDPWD/$out" "$id.nuspec" "[Content_Types].xml" && rm "$id.nuspec")
  echo "packed $out"
done
echo "If a package with the same version was restored before, clear it from the NuGet cache:"
echo "  dotnet nuget locals all --clear"
