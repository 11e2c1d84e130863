"""Copy NHS.UK frontend's compiled CSS from an unpacked npm package into the app's static files.

Usage: python3 scripts/vendor_css.py UNPACKED_PACKAGE_DIR TARGET_DIR

The compiled stylesheet is used as published, with three changes so that the app serves every
asset itself: the @font-face rules for the NHS's licensed Frutiger font (loaded from the NHS's own
host) are removed and the font stack is the system's; the icon URLs point at the copied icons
beside the stylesheet; the source-map comment is dropped (the map is not shipped).
"""

import json
import re
import shutil
import sys
from pathlib import Path

SYSTEM_FONTS = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'
LICENCE = """MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def adapt(css: str) -> tuple[str, list[str]]:
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("Frutiger W01,arial,sans-serif", SYSTEM_FONTS).replace("Frutiger W01", SYSTEM_FONTS)
    icons = sorted(set(re.findall(r"url\(/assets/images/([\w.-]+)\)", css)))
    css = css.replace("url(/assets/images/", "url(images/")
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css).rstrip() + "\n"
    if "assets.nhs.uk" in css or "url(http" in css:
        raise SystemExit("the stylesheet still loads something from another host")
    return css, icons


def main(package: Path, target: Path) -> None:
    version = json.loads((package / "package.json").read_text())["version"]
    css, icons = adapt((package / "dist/nhsuk/nhsuk-frontend.min.css").read_text(encoding="utf-8"))
    shutil.rmtree(target, ignore_errors=True)
    (target / "images").mkdir(parents=True)
    (target / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    for icon in icons:
        shutil.copy(package / "dist/nhsuk/assets/images" / icon, target / "images" / icon)
    (target / "LICENCE").write_text(LICENCE, encoding="utf-8")
    (target / "VERSION").write_text(f"nhsuk-frontend {version} (npm), MIT\n", encoding="utf-8")
    print(f"nhsuk-frontend {version} -> {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
