"""Compile locale/*/LC_MESSAGES/*.po into .mo files, without needing GNU gettext installed.

Only files whose .po is newer than their .mo are compiled.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
