"""`dvc plots show` and `dvc plots diff` write pages that draw every plot with no network: the
page template (plots/offline.html) carries Vega, Vega-Lite and vega-embed itself."""
import re

import yaml

from tests.conftest import ROOT, dvc, needs_chromium

pytestmark = needs_chromium
DECLARED = yaml.safe_load((ROOT / "dvc.yaml").read_text())["plots"]


def drawn(browser, page_file):
    """Open the page offline; (ids of the Vega plots, those drawn, images shown, stray requests)."""
    page = browser.new_page()
    stray, problems = [], []

    def only_local(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            stray.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("pageerror", lambda error: problems.append(str(error)))
    vega = re.findall(r'<div id *= *"([^"]+)">\s*<script', page_file.read_text())
    page.goto(page_file.as_uri())
    page.wait_for_function("(ids) => ids.every(id => document.getElementById(id)"
                           ".querySelector('svg, canvas'))", arg=vega, timeout=15_000)
    images = page.evaluate("() => [...document.images].filter(img => img.naturalWidth > 0)"
                           ".length")
    page.close()
    assert problems == [], problems
    return vega, images, stray


def declared_counts(project):
    """The number of Vega plots and of PNG images that dvc.yaml declares."""
    vega = sum(isinstance(plot, dict) for plot in DECLARED)
    folders = [project / plot for plot in DECLARED if isinstance(plot, str)]
    return vega, sum(len(list(folder.glob("*.png"))) for folder in folders)


def test_plots_show_draws_every_plot_offline(default_run, browser, tmp_path):
    dvc("plots", "show", "-o", tmp_path / "plots", cwd=default_run)
    vega, images, stray = drawn(browser, tmp_path / "plots/index.html")
    assert (len(vega), images) == declared_counts(default_run) and len(vega) >= 5
    assert stray == []


def test_plots_diff_draws_offline_too(default_run, browser, tmp_path):
    dvc("plots", "diff", "-o", tmp_path / "diff", cwd=default_run)
    vega, images, stray = drawn(browser, tmp_path / "diff/index.html")
    assert len(vega) == declared_counts(default_run)[0] and images > 0 and stray == []


def test_the_template_carries_the_libraries_and_their_licences():
    template = (ROOT / "plots/offline.html").read_text()
    assert "{plot_divs}" in template and "{scripts}" not in template  # no CDN scripts
    for name in ("vega", "vega-lite", "vega-embed"):
        assert re.search(rf"/\* {name} \d+\.\d+\.\d+, BSD-3-Clause", template), name
        assert "Redistribution and use" in (ROOT / f"plots/licenses/{name}.txt").read_text()
    assert not re.search(r"<script[^>]+src=", template)
    assert "html_template = ../plots/offline.html" in (ROOT / ".dvc/config").read_text()
