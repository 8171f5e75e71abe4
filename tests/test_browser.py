"""The drawing page in a real headless Chromium (Debian's), driven by Playwright: digits drawn with
mouse strokes and a finger, Undo and Clear, image files chosen or dropped. A failing test leaves a
screenshot in its pytest tmp folder (the path is in the warnings summary)."""
import base64
import io
import math
import re

import numpy as np
import pytest
from PIL import Image

from tests.conftest import needs_chromium
from tests.test_serve import live_server  # noqa: F401 (a fixture)

pytestmark = needs_chromium
WELCOME = "Write a digit, or a number, in the box."


def ellipse(cx, cy, rx, ry, points=48):
    return [(cx + rx * math.sin(2 * math.pi * i / points),
             cy - ry * math.cos(2 * math.pi * i / points)) for i in range(points + 1)]


DIGITS = {  # strokes, each a list of points from 0 to 1 across a square as high as the pad
    "1": [[(0.5, 0.18), (0.5, 0.82)]],
    "7": [[(0.26, 0.22), (0.72, 0.22), (0.42, 0.82)]],
    "0": [ellipse(0.5, 0.5, 0.2, 0.3)],
    "4": [[(0.56, 0.18), (0.26, 0.6), (0.76, 0.6)], [(0.62, 0.34), (0.62, 0.84)]],
}


def open_page(browser, base, request, screenshot, **options):
    """The page, loaded. Afterwards: no script error, every request went to the app itself, and
    if the test failed, a screenshot (named in the warnings summary)."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    failures = request.session.testsfailed
    page.goto(base)
    yield page
    stray = [url for url in requests if not url.startswith(base + "/")]
    if request.session.testsfailed > failures or problems or stray:  # (the test is counted
        page.screenshot(path=screenshot, full_page=True)  # before this teardown)
        request.node.warn(pytest.PytestWarning(f"screenshot: {screenshot}"))
    context.close()
    assert problems == [], "script errors on the page"
    assert stray == [], "requests that did not go to the app"


@pytest.fixture
def page(browser, live_server, tmp_path, request):  # noqa: F811
    yield from open_page(browser, live_server, request, tmp_path / "failure.png",
                         viewport={"width": 1000, "height": 800})


@pytest.fixture
def phone(browser, live_server, tmp_path, request):  # noqa: F811
    """The page on a narrow touch screen."""
    yield from open_page(browser, live_server, request, tmp_path / "failure.png",
                         viewport={"width": 400, "height": 800}, has_touch=True)


def settled(page):
    """Wait until no prediction is pending or in flight; the digit shown and the status line."""
    page.wait_for_selector('#result[data-busy="false"]')
    return page.text_content("#digit"), page.text_content("#status")


def draw(page, strokes, square=None):
    """Draw in the square of the pad's height that starts `square` heights from its left (by
    default, the middle one)."""
    box = page.locator("#pad").bounding_box()
    side = box["height"]
    left = box["x"] + (square if square is not None else (box["width"] / side - 1) / 2) * side
    for stroke in strokes:
        points = [(left + x * side, box["y"] + y * side) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for before, point in zip(points, points[1:]):
            page.mouse.move(*point, steps=max(1, int(math.dist(before, point) // 20)))
        page.mouse.up()


def shown_correctly(page, digit):
    """The bar chart's highlighted bar is the digit; the model's 28x28 view has ink in it."""
    assert page.locator(".bar").count() == 10
    assert page.text_content(".bar.best .label") == digit
    assert places_seen(page) == [digit]


def places_seen(page):
    """The caption's first word under each place's 28x28 picture, each checked to have ink."""
    return page.evaluate("""() => [...document.querySelectorAll(".place")].map((place) => {
        const ink = place.querySelector("canvas").getContext("2d").getImageData(0, 0, 28, 28)
            .data.reduce((sum, value, i) => sum + (i % 4 ? 0 : value), 0);
        return ink > 255 * 20 ? place.querySelector("figcaption").textContent.split(" ")[0]
                              : "no ink";
    })""")


def test_drawn_digits_are_identified(page):
    assert settled(page) == ("–", WELCOME)
    for digit, strokes in DIGITS.items():
        draw(page, strokes)
        assert settled(page)[0] == digit
        shown_correctly(page, digit)
        page.click("#clear")
        assert settled(page)[0] == "–"


def test_a_number_is_read_digit_by_digit(page):
    for square, digit in enumerate("170"):
        draw(page, DIGITS[digit], square=square)
    assert settled(page)[0] == "170"
    assert places_seen(page) == ["1", "7", "0"]
    assert page.is_hidden("#bars")  # a number shows each place instead of one digit's bars
    assert re.fullmatch(r"170: 1, [\d.]+ percent; 7, [\d.]+ percent; 0, [\d.]+ percent",
                        page.get_by_role("status").text_content())


def test_a_scribble_is_not_a_digit(page):
    zigzag = [(0.15 + 0.7 * (i % 2), 0.15 + 0.05 * i) for i in range(15)]
    draw(page, [zigzag, ellipse(0.5, 0.5, 0.35, 0.3)])
    assert settled(page)[0] == "✕"
    assert page.text_content("#confidence") == "not a digit"
    assert page.get_by_role("status").text_content() == "not a digit"


def test_undo_removes_the_last_stroke(page):
    draw(page, DIGITS["7"])
    assert settled(page)[0] == "7"
    draw(page, [ellipse(0.5, 0.5, 0.3, 0.38)])  # a ring around it: no longer a 7
    assert settled(page)[0] != "7"
    page.click("#undo")
    assert settled(page)[0] == "7"
    page.keyboard.press("Control+z")
    assert settled(page)[0] == "–"


def test_the_prediction_updates_while_drawing(page):
    box = page.locator("#pad").bounding_box()
    posted = []
    page.on("request", lambda request: posted.append(request.url.endswith("/api/predict")))
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.15 * box["height"])
    page.mouse.down()
    for step in range(1, 11):  # a slow stroke, about a second long
        y = box["y"] + (0.15 + 0.07 * step) * box["height"]
        page.mouse.move(box["x"] + 0.5 * box["width"], y)
        page.wait_for_timeout(100)
    assert settled(page)[0] == "1"  # the pen is still down
    assert sum(posted) >= 3
    page.mouse.up()
    assert settled(page)[0] == "1"


def test_a_finger_can_draw(phone):
    box = phone.locator("#pad").bounding_box()
    touch = phone.context.new_cdp_session(phone)  # real touch events, as a touch screen sends
    for kind, y in [("touchStart", 0.2)] + [("touchMove", 0.2 + 0.06 * i) for i in range(11)]:
        point = {"x": box["x"] + 0.5 * box["width"], "y": box["y"] + y * box["height"]}
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert settled(phone)[0] == "1"


@pytest.fixture(scope="module")
def mnist_pngs(default_run, tmp_path_factory):
    """The first test digit of each class, written as an MNIST-style 28x28 PNG; {label: path}."""
    images = np.load(default_run / "data/prepared/x_test.npy", mmap_mode="r")
    labels = np.load(default_run / "data/prepared/y_test.npy")
    folder = tmp_path_factory.mktemp("uploads")
    paths = {}
    for label in (2, 9):
        image = images[int(np.argmax(labels == label))]
        paths[label] = folder / f"digit-{label}.png"
        Image.fromarray(np.round(image * 255).astype(np.uint8)).save(paths[label])
    return paths


def test_a_chosen_image_file_is_identified(page, mnist_pngs, tmp_path):
    draw(page, DIGITS["1"])
    assert settled(page)[0] == "1"
    page.set_input_files("#file", mnist_pngs[9])
    assert settled(page) == ("9", "From digit-9.png")
    shown_correctly(page, "9")
    (tmp_path / "notes.png").write_text("not an image")
    page.set_input_files("#file", tmp_path / "notes.png")
    digit, status = settled(page)
    assert digit == "–" and "not an image" in status
    assert "error" in page.get_attribute("#status", "class")


def test_a_dropped_image_file_is_identified(page, mnist_pngs):
    data = base64.b64encode(mnist_pngs[2].read_bytes()).decode()
    transfer = page.evaluate_handle("""(data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
        return transfer;
    }""", data)
    page.dispatch_event("#pad", "drop", {"dataTransfer": transfer})
    assert settled(page) == ("2", "From dropped.png")
    shown_correctly(page, "2")


def test_the_page_sends_a_small_png_of_the_drawing(page):
    page.evaluate("""() => {  // keep what the page posts (Playwright can't see Blob bodies)
        const send = window.fetch;
        window.posted = [];
        window.fetch = (url, options) => {
            window.posted.push(options.body);
            return send(url, options);
        };
    }""")
    draw(page, DIGITS["7"])
    assert settled(page)[0] == "7"
    kind, data = page.evaluate("""async () => {
        const body = window.posted.at(-1);
        return [body.type, Array.from(new Uint8Array(await body.arrayBuffer()))];
    }""")
    assert kind == "image/png" and len(data) < 10_000
    with Image.open(io.BytesIO(bytes(data))) as image:
        assert image.format == "PNG" and image.size == (336, 112)


# Accessibility: what a screen reader announces, the keyboard, colour contrast

def accessibility_tree(page):
    """Chromium's own accessibility tree of the page: (role, name) of every node not ignored."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return [(node.get("role", {}).get("value"), node.get("name", {}).get("value", ""))
            for node in nodes if not node.get("ignored")]


def test_the_answer_is_announced_in_words(page):
    draw(page, DIGITS["7"])
    assert settled(page)[0] == "7"
    status = page.get_by_role("status")
    assert re.fullmatch(r"7, \d{1,3}(\.\d)? percent", status.text_content())
    tree = accessibility_tree(page)
    assert "status" in [role for role, _ in tree]
    assert any(re.fullmatch(r"7, \d{1,3}(\.\d)? percent", name) for _, name in tree)
    spoken = " ".join(name for _, name in tree)
    assert not re.search(r"7\d+\.\d%", spoken)  # the big print no longer reads "799.2%"
    chart = page.get_by_role("img", name=re.compile(r"^Probability of each digit: 7, "))
    assert chart.count() == 1
    page.click("#clear")
    settled(page)
    assert status.text_content() == WELCOME


def test_controls_have_names_and_the_keyboard_reaches_them(page):
    for role, name in (("button", "Undo"), ("button", "Clear"), ("button", "Choose an image…"),
                       ("img", "Drawing area: write a digit, or several in a row")):
        assert page.get_by_role(role, name=name).count() == 1, (role, name)
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert focused == ["pad", "undo", "clear", "file"]


def test_undo_clear_and_file_choice_work_from_the_keyboard(page, mnist_pngs):
    draw(page, DIGITS["4"])
    assert settled(page)[0] == "4"
    page.focus("#pad")
    page.keyboard.press("Backspace")  # the 4's second stroke goes
    assert settled(page)[0] != "4"
    page.focus("#undo")
    page.keyboard.press("Enter")
    assert settled(page)[0] == "–"
    draw(page, DIGITS["1"])
    assert settled(page)[0] == "1"
    page.focus("#clear")
    page.keyboard.press("Space")
    assert settled(page)[0] == "–"
    page.focus("#file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(mnist_pngs[9])
    assert settled(page) == ("9", "From digit-9.png")


CONTRASTS = """() => {  // WCAG 2 contrast of every visible text, and of the bars and borders
    const rgb = (color) => color.match(/[\\d.]+/g).map(Number);
    const channel = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const luminance = ([r, g, b]) =>
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const ratio = (a, b) => {
        const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (light + 0.05) / (dark + 0.05);
    };
    const background = (element) => {
        for (; element; element = element.parentElement) {
            const color = rgb(getComputedStyle(element).backgroundColor);
            if (color.length < 4 || color[3] > 0) return color;
        }
        return [255, 255, 255];
    };
    const found = [];
    for (const element of document.querySelectorAll("body *")) {
        const style = getComputedStyle(element);
        const hasText = [...element.childNodes].some((node) => node.nodeType === 3
                                                     && node.textContent.trim());
        if (!hasText || element.closest(".visually-hidden") || style.display === "none") continue;
        const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
        found.push([element.textContent.trim().slice(0, 40), ratio(rgb(style.color),
                    background(element)), size >= 24 || (bold && size >= 18.66) ? 3 : 4.5]);
    }
    for (const element of document.querySelectorAll(".bar .fill, #pad, button, .button")) {
        const style = getComputedStyle(element);
        const color = element.matches(".fill") ? style.backgroundColor : style.borderTopColor;
        found.push([element.className || element.id, ratio(rgb(color),
                    background(element.parentElement)), 3]);
    }
    return found;
}"""


def test_colours_pass_wcag_aa_contrast(page, tmp_path):
    def too_faint():
        return [(what, round(ratio, 2)) for what, ratio, needed in page.evaluate(CONTRASTS)
                if ratio < needed]

    assert too_faint() == []
    draw(page, DIGITS["7"])
    assert settled(page)[0] == "7"
    assert too_faint() == []  # the bars, the answer
    (tmp_path / "notes.png").write_text("not an image")
    page.set_input_files("#file", tmp_path / "notes.png")
    assert "not an image" in settled(page)[1]
    assert too_faint() == []  # the error message


def test_the_api_docs_load_from_the_app_itself(browser, live_server, tmp_path, request):  # noqa: F811
    refused = []
    for docs in open_page(browser, live_server, request, tmp_path / "failure.png"):
        docs.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        response = docs.goto(f"{live_server}/docs")
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        docs.get_by_text("/api/predict").wait_for()
        assert docs.get_by_text("/healthz").count() >= 1
    assert refused == []  # the page's strict CSP holds; open_page checked no request left
