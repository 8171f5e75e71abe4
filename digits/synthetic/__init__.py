"""Images made by code, for tests, benchmarks and training: MNIST digits turned into photos of
paper, numbers and pages, and things that are not digits. Pillow and NumPy only; every generator
takes a seed (numpy Generator) and gives the same images for the same seed."""
