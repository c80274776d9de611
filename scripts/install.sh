#!/usr/bin/env bash
# Installs hoist: a stripped binary (its debug symbols kept beside it, linked by
# .gnu_debuglink), bash/zsh/fish completions that complete image, container and network names,
# and man pages generated from the command-line definitions. As root under /usr/local, else
# under ~/.local (whose bin is on PATH in Debian's default profile).
#   scripts/install.sh                                    # release build, then install
#   PREFIX=/opt/hoist scripts/install.sh
#   HOIST_BINARY=.build/debug/hoist scripts/install.sh    # install a binary built already
#   HOIST_MANPAGES=0 scripts/install.sh                   # skip the man pages (they need a package build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then prefix=${PREFIX:-/usr/local}; else prefix=${PREFIX:-$HOME/.local}; fi
binary=${HOIST_BINARY:-}
if [ -z "$binary" ]; then
  swift build -c release --product hoist
  binary="$(swift build -c release --show-bin-path)/hoist"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$binary" "$scratch/hoist"
objcopy --only-keep-debug "$scratch/hoist" "$scratch/hoist.debug"
strip --strip-debug --strip-unneeded "$scratch/hoist"
objcopy --add-gnu-debuglink="$scratch/hoist.debug" "$scratch/hoist"

install -d "$prefix/bin" "$prefix/lib/debug/bin" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d" "$prefix/share/man/man1"
install -m 0755 "$scratch/hoist" "$prefix/bin/hoist"
install -m 0644 "$scratch/hoist.debug" "$prefix/lib/debug/bin/hoist.debug"
"$prefix/bin/hoist" --generate-completion-script bash >"$prefix/share/bash-completion/completions/hoist"
"$prefix/bin/hoist" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_hoist"
"$prefix/bin/hoist" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/hoist.fish"

if [ "${HOIST_MANPAGES:-1}" = 1 ]; then
  # ArgumentParser's own generator, over the definitions of every command.
  mkdir -p "$scratch/man"
  swift package --allow-writing-to-directory "$scratch/man" generate-manual --multi-page \
    --configuration "${HOIST_MANPAGES_CONFIGURATION:-release}" --output-directory "$scratch/man" >/dev/null
  find "$scratch/man" -name 'hoist*.1' -exec install -m 0644 {} "$prefix/share/man/man1/" \;
fi
echo "installed $prefix/bin/hoist ($(du -h "$prefix/bin/hoist" | cut -f1), debug symbols in $prefix/lib/debug/bin/hoist.debug)"
