#!/usr/bin/env python3
"""Writes scikit-learn's copy of UCI optdigits (`sklearn.datasets.load_digits`)
to data/digits/optdigits-8x8.txt, the file `paper-tasks` reads.

    pip install scikit-learn
    python3 data/digits/extract.py            # rewrites the committed file

The file has one image per line: the label (0-9), a space, then the 64 pixels
of the 8 x 8 image row by row, each one character of "0123456789abcdefg"
(the pixel value 0..16 in base 17). 1797 lines, in load_digits() order.
Nothing is downloaded: load_digits() reads the copy that ships inside
scikit-learn.
"""
import argparse
import os

from sklearn.datasets import load_digits

ALPHABET = "0123456789abcdefg"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=os.path.join(here, "optdigits-8x8.txt"))
    args = parser.parse_args()
    digits = load_digits()
    assert digits.data.shape == (1797, 64)
    lines = []
    for image, label in zip(digits.data.astype(int), digits.target.astype(int)):
        assert 0 <= label <= 9 and image.min() >= 0 and image.max() <= 16
        lines.append(f"{label} " + "".join(ALPHABET[v] for v in image))
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} images to {args.output}")


if __name__ == "__main__":
    main()
