"""The ruled lines of notebook and squared paper in a mask of ink: long thin straight runs
across the page, level or sloping a few degrees (a page photographed askew), except where a
stroke crosses them or runs along them.
"""
import numpy as np

from digits.components import label, pieces, run_lengths

LINE_LENGTH = 0.35   # a run across 35% of the page may be a ruled line ...
FULL_LINE = 0.6      # ... and is one if it spans 60%, or is fainter than the strokes
FAINT = 0.6          # fainter: its ink below 60% of the strokes' level on average
THIN = 25            # and it is 25 times longer than it is thick: a stroke is much thicker
CROSSING = 8         # a stroke crosses a line if ink lies within 8 px above and below it
MAX_SLOPE = 0.06     # lines photographed up to 3.4 degrees off the page's axes are found,
SLOPE_STEP = 0.004   #   the slope found to 0.004 (0.23 degrees),
SLOPE_GAIN = 1.2     #   and taken if it gathers the ink in rows 20% better than level
SLOPE_SAMPLE = 4000  #   (judged on this many of the ink's pixels, evenly spread)


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


def _horizontal_lines(mask, ink, level, faint):
    """Pixels of the mask on horizontal ruled lines, level or sloping (crossing strokes
    included)."""
    shifts = _shifts(mask)
    if not shifts.any():
        return _level_lines(mask, ink, level, faint)
    height = mask.shape[0] + int(shifts.max())
    lines = _level_lines(_sheared(mask, shifts, height), _sheared(ink, shifts, height), level,
                         faint)
    return lines[np.arange(mask.shape[0])[:, None] + shifts, np.arange(mask.shape[1])]


def _shifts(mask):
    """How far down to move each column so that lines sloping across the mask lie level: the
    slope up to MAX_SLOPE whose ink, so moved, gathers in the fewest rows (the largest sum of
    squared row counts), searched coarse then fine; none unless it beats level by SLOPE_GAIN."""
    columns = np.arange(mask.shape[1])

    def shifts(slope):
        rise = np.round(columns * slope).astype(int)
        return rise.max() - rise

    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        return shifts(0.0)
    every = -(-len(rows) // SLOPE_SAMPLE)  # a sample of the ink is enough, and much faster
    rows, cols = rows[::every], cols[::every]

    def gathered(slope):
        counts = np.bincount(rows + shifts(slope)[cols])
        return float(np.dot(counts, counts)), -abs(slope)  # ties go to the more level

    coarse = max(np.linspace(-MAX_SLOPE, MAX_SLOPE, 11), key=gathered)
    best = max(coarse + SLOPE_STEP * np.arange(-2, 3), key=gathered)
    return shifts(best) if gathered(best)[0] > SLOPE_GAIN * gathered(0.0)[0] else shifts(0.0)


def _sheared(image, shifts, height):
    """Each column of the image moved down by its shift, in an image `height` rows high."""
    sheared = np.zeros((height, image.shape[1]), image.dtype)
    sheared[np.arange(image.shape[0])[:, None] + shifts, np.arange(image.shape[1])] = image
    return sheared


def _level_lines(mask, ink, level, faint):
    """Pixels of the mask on level horizontal ruled lines (crossing strokes included)."""
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


def _shifted_any(mask, steps, down):
    """Whether any pixel 1..steps rows above (down=False) or below (down=True) is True."""
    found = np.zeros_like(mask)
    for step in range(1, steps + 1):
        if down:
            found[:-step] |= mask[step:]
        else:
            found[step:] |= mask[:-step]
    return found
