# Git keeps no hard links: the context gets its own here.
ln ctx/a ctx/b
