#!/usr/bin/env bash
# Install the one-folder bundle for the current user: the folder under ~/.local/lib, a
# command in ~/.local/bin, the .desktop entry and icon so the desktop menu lists it.
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
target="$HOME/.local/lib/settlement-workbench"
mkdir -p "$HOME/.local/lib" "$HOME/.local/bin" "$HOME/.local/share/applications" \
         "$HOME/.local/share/icons/hicolor/scalable/apps"
rm -rf "$target"
cp -r "$bundle" "$target"
ln -sf "$target/settlement-workbench" "$HOME/.local/bin/settlement-workbench"
# PyInstaller 6 keeps everything but the executable in _internal/, the data files too.
cp "$bundle/_internal/settlement-workbench.desktop" "$HOME/.local/share/applications/"
cp "$bundle/_internal/settlement-workbench.svg" "$HOME/.local/share/icons/hicolor/scalable/apps/"
echo "installed in $target; run 'settlement-workbench' or choose it from the desktop menu"
