"""What surrounds the digits on a real page and is not ink to read: a table or a scanner's dark
border in the frame, and the ruled lines of notebook or squared paper.

frame_cleared() works on the grayscale image before the ink is looked for: dark regions that
run along the frame become paper. ruled_lines() works on the mask of ink: long straight runs
across the page are lines, except where a stroke crosses them.
"""
import numpy as np

from digits.components import label, pieces, run_lengths

FRAME_CONTACT = 0.3  # a dark region along 30% of a side is a table or a border, not a digit
DARK = 0.35          # dark: nearer the ink's shade than the paper's (a shadow is lighter)
LINE_LENGTH = 0.35   # a run across 35% of the page may be a ruled line ...
FULL_LINE = 0.6      # ... and is one if it spans 60%, or is fainter than the strokes
FAINT = 0.6          # fainter: its ink below 60% of the strokes' level on average
THIN = 25            # and it is 25 times longer than it is thick: a stroke is much thicker
CROSSING = 8         # a stroke crosses a line if ink lies within 8 px above and below it


def frame_cleared(gray):
    """The grayscale image with dark regions (thicker than a ruled line) that touch the frame
    along FRAME_CONTACT of a side (a table beyond the sheet's edge, a scanner's border) painted
    the paper's shade; the image itself if there are none or the paper is dark."""
    paper = float(np.median(gray))
    darkest = float(np.percentile(gray, 1))
    if paper < 0.5 or paper - darkest < 0.2:
        return gray
    dark = (gray < darkest + DARK * (paper - darkest)).astype(np.uint8)
    dark = _running(_running(dark, 5, 0, np.minimum), 5, 1, np.minimum)  # lines 4 px thin go
    labels, count = label(dark.astype(bool))
    if count == 0:
        return gray
    h, w = gray.shape
    sides = ((labels[0], w), (labels[-1], w), (labels[:, 0], h), (labels[:, -1], h))
    contact = np.max([np.bincount(line, minlength=count + 1) / length
                      for line, length in sides], axis=0)
    contact[0] = 0
    structures = np.nonzero(contact >= FRAME_CONTACT)[0]
    if len(structures) == 0:
        return gray
    region = _grown(np.isin(labels, structures), max(3, round(0.02 * max(h, w))))  # its edge too
    cleared = gray.copy()
    cleared[region] = np.percentile(gray[~region], 75)  # a shade no lighter than most paper
    return cleared


def _grown(mask, steps):
    """The mask dilated by `steps` pixels (a square)."""
    grown = mask.copy()
    for _ in range(steps):
        padded = np.pad(grown, 1)
        h, w = grown.shape
        grown = np.logical_or.reduce([padded[y:y + h, x:x + w] for y in range(3)
                                      for x in range(3)])
    return grown


def _running(values, size, axis, pick):
    """np.minimum or np.maximum (`pick`) over a centred window of `size` along an axis, by
    doubling: log2(size) whole-array steps whatever the size."""
    values = np.moveaxis(values, axis, 0)
    before = size // 2
    padded = np.concatenate([np.repeat(values[:1], before, 0), values,
                             np.repeat(values[-1:], size - 1 - before, 0)])
    span, result = 1, padded
    while span * 2 <= size:
        result = pick(result[:len(result) - span], result[span:])
        span *= 2
    n = len(values)
    result = pick(result[:n], result[size - span:size - span + n])
    return np.moveaxis(result, 0, axis)


def opened(image, size):
    """The grey-scale opening of an image by a size x size square: bright strokes narrower than
    `size` are gone, wider shapes and steps (a shadow's edge) stay as they were."""
    for pick in (np.minimum, np.maximum):
        image = _running(_running(image, size, 0, pick), size, 1, pick)
    return image


def _shifted_any(mask, steps, down):
    """Whether any pixel 1..steps rows above (down=False) or below (down=True) is True."""
    found = np.zeros_like(mask)
    for step in range(1, steps + 1):
        if down:
            found[:-step] |= mask[step:]
        else:
            found[step:] |= mask[:-step]
    return found


def _horizontal_lines(mask, ink, level, faint=True):
    """Pixels of the mask on horizontal ruled lines (crossing strokes included)."""
    h, w = mask.shape
    grown = mask.copy()  # a slightly tilted line steps from row to row: join the steps,
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    for step in (1, 2):  # and bridge the gaps that blur and JPEG leave in a faint line
        grown[:, step:] |= grown[:, :-step].copy()
    long = run_lengths(grown) >= LINE_LENGTH * w
    if not long.any():
        return np.zeros_like(mask)
    labels, count = label(long)
    found = pieces(labels, count)
    on_mask = labels[mask]
    area = np.bincount(on_mask, minlength=count + 1)[1:]
    is_faint = np.bincount(on_mask, weights=ink[mask], minlength=count + 1)[1:] < (
        FAINT * level * area) if faint else np.zeros(count, bool)
    length = np.array([p.width for p in found])
    thin = length >= THIN * area / np.maximum(length, 1)  # long for its thickness
    lines = np.concatenate([[False], thin & ((length >= FULL_LINE * w) | is_faint)])
    on_lines = lines[labels]
    on_lines[1:] |= on_lines[:-1].copy()  # a tilted line's edge pixels sit on short runs
    on_lines[:-1] |= on_lines[1:].copy()
    return on_lines & mask


def _crossed(lines, rest):
    """Pixels of horizontal lines where a stroke of `rest` goes on above and below them."""
    return lines & _shifted_any(rest, CROSSING, down=False) & _shifted_any(rest, CROSSING,
                                                                           down=True)


def ruled_lines(mask, ink, level, faint=True):
    """Pixels of the ink mask that belong to ruled lines, horizontal or vertical: long thin
    runs that span FULL_LINE of the page or (if `faint`) are fainter than the strokes; where a
    stroke crosses a line, the stroke keeps its pixels."""
    horizontal = _horizontal_lines(mask, ink, level, faint)
    vertical = _horizontal_lines(mask.T, ink.T, level, faint).T
    rest = mask & ~horizontal & ~vertical
    lines = ((horizontal & ~_crossed(horizontal, rest))
             | (vertical & ~_crossed(vertical.T, rest.T).T))
    return lines & ~_strokes_along(lines, rest, ink, level)


def _strokes_along(lines, rest, ink, level):
    """Pixels of faint lines where a stroke runs along them: darker than halfway from the
    lines' shade to the strokes', and joined to the rest of the writing."""
    if not lines.any():
        return lines
    shade = float(np.median(ink[lines]))
    if shade > FAINT * level:  # lines as dark as the strokes: no shade tells them apart
        return np.zeros_like(lines)
    dark = lines & (ink >= (shade + level) / 2)
    labels, _ = label(rest | dark)
    return dark & np.isin(labels, np.unique(labels[rest]))
