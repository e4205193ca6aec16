"""Write ``src/mlcore_talib/_catalog.py`` from the installed TA-Lib's metadata.

Run after upgrading TA-Lib, from anywhere, with mlcore-talib installed (``pip install -e``)
or not::

    python plugins/mlcore-talib/scripts/generate_catalog.py          # rewrite the catalog
    python plugins/mlcore-talib/scripts/generate_catalog.py --check  # exit 1 if out of date

The catalog lists every TA-Lib function, excluded ones included: what is exposed is decided
in ``mlcore_talib._metadata`` (``EXCLUDED_GROUPS``, ``EXCLUDED_FUNCTIONS``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"
CATALOG = SOURCE / "mlcore_talib" / "_catalog.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(SOURCE))
    import talib
    from mlcore_talib._metadata import read_installed, render_catalog

    text = render_catalog(read_installed(), talib.__version__)
    current = CATALOG.read_text(encoding="utf-8") if CATALOG.exists() else ""
    if args.check:
        if text != current:
            print(f"{CATALOG} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{CATALOG} is current (TA-Lib {talib.__version__})")
        return 0
    CATALOG.write_text(text, encoding="utf-8")
    print(f"wrote {CATALOG} (TA-Lib {talib.__version__})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
