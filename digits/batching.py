"""The model's side of reading: the 28x28 images that readings wait for, put through the model
together, each distinct image once.

A reading (reading._reading) is a generator: it yields the images it needs answered and is sent
back their answers. Many readings run side by side share one model call per step: in a batch the
model costs less per image than one image alone does.
"""
import numpy as np

from digits import decision
from digits.decoding import ImageError


def side_by_side(readers, classifier):
    """Run readings side by side: at each step, the images that all of them wait for go through
    the model in one batch. Each one's result, or its ImageError (an ImageError among `readers`
    stays as it is)."""
    results = list(readers)
    waiting = {index: None for index, reader in enumerate(readers)
               if not isinstance(reader, ImageError)}
    while waiting:
        asked = {}
        for index, answered in waiting.items():
            try:
                asked[index] = readers[index].send(answered)
            except StopIteration as stop:
                results[index] = stop.value
            except ImageError as error:
                results[index] = error
        given, two_digits = answers(classifier, [image for wanted in asked.values()
                                                 for image in wanted])
        waiting, start = {}, 0
        for index, wanted in asked.items():
            end = start + len(wanted)
            waiting[index] = given[start:end], two_digits[start:end]
            start = end
    return results


def answers(classifier, images):
    """decision.answers() and the two-digit scores for a list of 28x28 images, each distinct
    image put through the model once (a clean digit's second opinion is often its own image
    again)."""
    def run(distinct):
        outputs = classifier.outputs(np.stack(distinct))
        return list(zip(decision.answered(outputs, classifier.card), outputs[2].tolist()))

    seen = once_each(run, images)
    # an answer seen twice, as two objects
    return [dict(answer) for answer, _ in seen], [score for _, score in seen]


def once_each(function, arrays):
    """function(distinct arrays) -> one result each, given back for every array in `arrays`:
    arrays equal in shape and bytes share the result of one."""
    if not arrays:
        return []
    keys = [(array.shape, array.tobytes()) for array in arrays]
    first = {}
    for key, array in zip(keys, arrays):
        first.setdefault(key, array)
    results = dict(zip(first, function(list(first.values()))))
    return [results[key] for key in keys]
