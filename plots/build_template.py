"""Build plots/offline.html, the page template that `dvc plots show` and `dvc plots diff` fill in
(.dvc/config: plots.html_template). It carries Vega, Vega-Lite and vega-embed inline, so the page
draws its charts with no network; DVC's own template loads them from a CDN.

    npm pack vega@5.33.1 vega-lite@5.23.0 vega-embed@6.29.0   # in an empty folder, then unpack:
    for f in *.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done
    python plots/build_template.py FOLDER

Their licences (BSD-3-Clause) are copied to plots/licenses/.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = {"vega": "build/vega.min.js", "vega-lite": "build/vega-lite.min.js",
            "vega-embed": "build/vega-embed.min.js"}  # in the order they must load
# The npm package of vega carries no LICENSE file; its package.json says BSD-3-Clause and the
# repository's licence is the same text as vega-lite's (both from the UW Interactive Data Lab).
LICENCE_FROM = {"vega": "vega-lite", "vega-lite": "vega-lite", "vega-embed": "vega-embed"}
STYLE = """body { font: 14px system-ui, sans-serif; margin: 1rem; }
    table { border-spacing: 15px; }
    img { max-width: 100%; }"""


def main(folder):
    unpacked = {json.loads(path.read_text())["name"]: path.parent
                for path in Path(folder).glob("*/package/package.json")}
    scripts, names = [], []
    for name, build in PACKAGES.items():
        package = unpacked[name]
        version = json.loads((package / "package.json").read_text())["version"]
        code = (package / build).read_text(encoding="utf-8")
        assert "</script" not in code and "{plot_divs}" not in code
        scripts.append(f"  <script>/* {name} {version}, BSD-3-Clause: plots/licenses/{name}"
                       f".txt */\n{code}\n  </script>")
        names.append(f"{name} {version}")
        licence = (unpacked[LICENCE_FROM[name]] / "LICENSE").read_text(encoding="utf-8")
        if LICENCE_FROM[name] != name:
            licence = (f"{name} {version} (npm) declares BSD-3-Clause in its package.json and "
                       "ships no LICENSE file; this is the same licence as published with "
                       f"{LICENCE_FROM[name]} by the same authors.\n\n{licence}")
        (HERE / "licenses" / f"{name}.txt").write_text(licence, encoding="utf-8")
    page = "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '  <meta charset="utf-8">',
        "  {refresh_tag}", "  <title>DVC plots: handwritten digits</title>",
        f"  <!-- Built by plots/build_template.py from npm: {', '.join(names)} -->",
        *scripts, f"  <style>\n    {STYLE}\n  </style>", "</head>", "<body>", "{plot_divs}",
        "</body>", "</html>", ""])
    (HERE / "offline.html").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
