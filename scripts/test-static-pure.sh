#!/usr/bin/env bash
# Builds the static-file engine (src-native/static/, and the src-native/util/ helpers it uses) with
# its standalone C++ test driver under AddressSanitizer + UBSan, runs it against a fixture tree created in a
# temporary directory (files, index pages, dotfiles, symlinks inside and escaping the root, a
# sibling "www-secret", precompressed siblings, a FIFO), and removes the tree afterwards.
# No addon, no libuv, no Node: `npm run test:native-pure` and `npm test`
# (test/native/native-pure.test.ts) call it. HTTPUV_PURE_BUILD_DIR=DIR keeps the compiled driver in
# DIR and reuses it while its inputs are unchanged (scripts/pure-build.sh).
set -euo pipefail
# shellcheck source=pure-build.sh
. "$(dirname "$0")/pure-build.sh"

root="$(cd "$(dirname "$0")/.." && pwd)"
cxx="${CXX:-g++}"
work="$(mktemp -d "${TMPDIR:-/tmp}/httpuv-static-test.XXXXXX")"
trap 'chmod -R u+rwx "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

pure_build "${HTTPUV_PURE_BUILD_DIR:-$work}" static_files_test "$cxx" \
  -std=c++17 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
  -fno-omit-frame-pointer -g -pthread -I "$root/src-native" -I "$root/test" \
  "$root/src-native/static/static_files.cc" \
  "$root/src-native/static/static_resolve.cc" \
  "$root/src-native/static/static_negotiation.cc" \
  "$root/src-native/static/static_listing.cc" \
  "$root/src-native/static/mime_types.cc" \
  "$root"/src-native/util/*.cc \
  "$root/test/native/cpp/static_files_test.cc" \
  "$root/test/native/cpp/static_files_fs_test.cc" \
  "$root/test/native/cpp/static_helpers_test.cc"

t="$work/tree"
mkdir -p "$t/www/sub" "$t/www/noindex" "$t/www/.well-known" "$t/www/.git" "$t/outside" \
  "$t/www-secret"
cd "$t"
printf '<html>root index</html>\n' > www/index.html
printf '0123456789abcdefghij' > www/data.txt
printf '<p>upper</p>\n' > www/page.HTML
printf 'no extension\n' > www/noext
printf 'hidden\n' > www/.hidden
printf 'acme\n' > www/.well-known/acme.txt
printf '[core]\n' > www/.git/config
printf '<html>sub index</html>\n' > www/sub/index.html
printf 'a\n' > www/sub/a.txt
printf 'b\n' > www/noindex/b.txt
printf 'caf\xc3\xa9\n' > "www/caf$(printf '\xc3\xa9').txt"
printf 'This is file content.\n' > 'www/file with space.txt'
printf 'dots\n' > www/do..ts.txt
printf 'console.log("identity");\n' > www/app.js
printf 'GZ-BYTES-OF-APP-JS' > www/app.js.gz
printf 'BR-BYTES' > www/app.js.br
printf 'body{}\n' > www/style.css
printf 'GZ-CSS' > www/style.css.gz
printf 'evil\n' > www/evil.txt
: > www/empty.txt
printf 'SECRET\n' > secret.txt
printf 'SECRET\n' > outside/secret.txt
printf 'SECRET\n' > www-secret/secret.txt
printf 'single file\n' > single.txt
ln -s index.html www/link-in
ln -s ../outside www/link-out
ln -s ../outside/secret.txt www/link-file
ln -s ../www-secret/secret.txt www/link-sibling
ln -s .hidden www/link-dot
ln -s ../outside/secret.txt www/evil.txt.gz
# Static-path rules: an excluded and a validated directory, and names that lead into them
# (case twins, symlinks, precompressed siblings) that must not get through either.
mkdir -p www/private/sub www/private/open www/guarded
printf 'SECRET private\n' > www/private/secret.txt
printf 'SECRET private gz\n' > www/private/secret.txt.gz
printf 'SECRET private index\n' > www/private/index.html
printf 'SECRET deep\n' > www/private/sub/deep.txt
printf 're-allowed\n' > www/private/open/ok.txt
printf 'GUARDED\n' > www/guarded/g.txt
printf 'GUARDED gz\n' > www/guarded/g.txt.gz
printf 'public b\n' > www/pub-b.txt
ln -s private www/PRIVATE
ln -s private www/link-private
ln -s private/secret.txt.gz www/pub-b.txt.gz
ln -s guarded/g.txt.gz www/pub-b.txt.br
mkfifo www/fifo
printf 'locked\n' > www/unreadable.txt
chmod 000 www/unreadable.txt
touch -d '2020-02-03 04:05:06 UTC' www/data.txt

"$built" "$t"
