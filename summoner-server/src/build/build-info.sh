#!/bin/sh
# Writes build.properties, what --version prints (BuildInfo): the version, the git commit of the source tree and
# whether it had uncommitted changes; "unknown" where there is no git or the tree is not a git checkout of its own
# (a source archive, even one unpacked inside another repository). Run by summoner-server's pom.
# Usage: build-info.sh PROJECT_ROOT VERSION OUT_FILE
set -eu
root=$1
version=$2
out=$3
commit=unknown
dirty=false
if command -v git >/dev/null 2>&1 \
    && top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) \
    && [ "$(cd "$top" && pwd -P)" = "$(cd "$root" && pwd -P)" ] \
    && head=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null); then
  commit=$head
  [ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=true
fi
mkdir -p "$(dirname "$out")"
printf '# Written by the build (src/build/build-info.sh): what --version prints.\nversion=%s\ncommit=%s\ndirty=%s\n' \
  "$version" "$commit" "$dirty" > "$out"
