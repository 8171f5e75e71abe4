"""The writing on a page, as a mask: the page's ink found as for one digit (imaging.find_ink),
less what surrounds the digits and is not ink to read (digits.surroundings, digits.ruling),
with faint stretches of stroke kept where they join strong ones."""
import numpy as np

from digits import grid, imaging, ruling, segmentation, surroundings, thickness
from digits.components import label

MARGIN = 2  # pixels of paper kept all round a drawing's ink when it is trimmed
DRAWN_HEIGHT = 40  # a drawing at least twice as tall is read at half its size
FAINT = 0.4        # a piece whose ink averages under 40% of the strokes' level is shading,
THIN_PEN = 0.33    # 33% if it is a digit's body (segmentation.is_body) away from the image's edges


def trimmed(gray):
    """(part, (top, left), drawn): a drawing (see _drawn) cut to its ink and a MARGIN of paper
    (what lies beyond is paper of one exact shade: reading it only costs time), where the part
    starts in the image, and True; any other image whole, at (0, 0), and False."""
    if not _drawn(gray):
        return gray, (0, 0), False
    inked = gray != gray[0, 0]
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    if rows.size == 0:
        return gray, (0, 0), True
    top, left = max(rows[0] - MARGIN, 0), max(cols[0] - MARGIN, 0)
    return gray[top:rows[-1] + MARGIN + 1, left:cols[-1] + MARGIN + 1], (top, left), True


def halved(drawing):
    """(drawing, factor): a trimmed drawing at least twice DRAWN_HEIGHT tall halved (the mean of
    each 2x2 block), factor 2; any other as it is, factor 1. Digits drawn that large read as
    well at half the size (on the page's drawings of 1,000 numbers: 958 right, 957 before), in
    less time."""
    if drawing.shape[0] < 2 * DRAWN_HEIGHT:
        return drawing, 1
    rows, cols = drawing.shape[0] % 2, drawing.shape[1] % 2
    paper = np.pad(drawing, ((0, rows), (0, cols)), constant_values=drawing[0, 0])
    h, w = paper.shape[0] // 2, paper.shape[1] // 2
    return paper.reshape(h, 2, w, 2).mean(axis=(1, 3), dtype=np.float32), 2


def find(gray, drawn=None):
    """The page's Ink, and its writing as connected pieces (components.label(): labels and
    their count; the mask is labels > 0): ruled lines, a table or border in the frame, and
    shading the paper estimate missed (a shadow's sharp edge) are left out. `drawn`: whether
    the image is a drawing, if known (a trimmed drawing may no longer look like one)."""
    if _drawn(gray) if drawn is None else drawn:  # nothing surrounds the writing: 4x faster
        found = imaging.find_ink(gray, even_paper=True)
        return (found, *_stroke_pieces(found))
    found = imaging.find_ink(surroundings.frame_cleared(gray))
    rough = found.smooth > found.edge
    writing = rough & ~ruling.ruled_lines(_faint(found), found.ink, found.level, False)
    if not writing.any():
        writing = rough
    # Where the image opened by a square wider than the strokes (the paper without them) lies
    # above the paper estimate, the difference is paper too.
    stroke = thickness.width(writing, np.median)
    size = max(int(3 * stroke) + 3, max(gray.shape) // 8)
    paper = surroundings.opened(found.ink + found.paper, size)
    missed = np.maximum(paper - found.paper, 0)
    ink, smooth = found.ink - missed, found.smooth - missed
    bright = np.where(writing, smooth, 0)  # the strokes' level, without the lines
    level = float(np.median(ink[bright > bright.max() / 2])) if bright.max() > 0 else found.level
    found = found._replace(ink=ink, smooth=smooth, level=level)
    writing = _strokes(found) & ~ruling.ruled_lines(_faint(found), found.ink, found.level)
    return (found, *label(writing))


def not_shading(pieces, strength, level, shape):
    """The pieces whose ink (`strength`, summed by label) is strong enough for writing. A
    digit in a thin pen among thick ones averages 35-40% of the strokes' `level`; a shadow's
    edge as faint runs to the image's edge."""
    height = segmentation.usual_height(pieces) if pieces else 0

    def bar(piece):
        inside = not segmentation.at_frame(piece, shape)
        return THIN_PEN if inside and segmentation.is_body(piece, height) else FAINT

    return [p for p in pieces if strength[p.number] >= bar(p) * level * p.area]


def _drawn(gray):
    """Whether the image is a drawing (the page's, or any made on a computer): paper of one exact
    shade all round the edge and under most of the image. No photo has that; a black-and-white
    scan may, but then no ruled line, border or table reaches its edge: none to look for."""
    edge = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return edge.min() == edge.max() and np.count_nonzero(gray == edge[0]) > gray.size / 2


def _faint(found):
    """Even faint ink: where ruled lines are looked for (a faint line found whole, not in bits)."""
    return found.smooth > max(found.edge / 3, 3 * found.noise)


def _strokes(found):
    """The mask of _stroke_pieces()."""
    return _stroke_pieces(found)[0] > 0


def _stroke_pieces(found):
    """Where the ink is, as labelled pieces: pixels above the ink's edge level, and fainter
    ones (down to 60% of it, well above the noise) that connect to them, so a faint stretch of
    stroke does not break a digit in two."""
    labels, count = label(found.smooth > max(0.6 * found.edge, 5 * found.noise))
    kept = np.zeros(count + 1, bool)
    kept[labels[found.smooth > found.edge]] = True
    kept[0] = False
    numbers = np.where(kept, np.cumsum(kept), 0)  # the pieces kept, numbered in the same order
    return numbers[labels].astype(np.int32), int(kept.sum())


def near(mask):
    """The mask grown by a pixel: where a stroke's anti-aliased edge may be."""
    return grid.grown(mask)
