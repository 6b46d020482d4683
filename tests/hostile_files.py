"""Hostile and malformed uploads, crafted in memory (nothing large is committed): the files
an attacker or an unlucky student would send, shared by the core, ui and app tests."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import scipy.io
import scipy.sparse

GOOD_X = np.column_stack([np.linspace(-1, 1, 30), np.cos(np.linspace(0, 6, 30))])
GOOD_Y = (np.arange(30) % 2).reshape(-1, 1)


def mat_bytes(**arrays) -> bytes:
    """A MATLAB v5 file of ``arrays`` as SciPy writes it (compressed, like MATLAB's v7)."""
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays, do_compression=True)
    return buffer.getvalue()


def course_layout(**replaced) -> bytes:
    """A good course-layout file (X, y, Xval, yval) with some variables replaced or added."""
    return mat_bytes(**({"X": GOOD_X, "y": GOOD_Y, "Xval": GOOD_X, "yval": GOOD_Y} | replaced))


def _element(data_type: int, payload: bytes) -> bytes:
    """A v5 data element: tag, payload, padding to 8 bytes."""
    return struct.pack("<II", data_type, len(payload)) + payload + bytes(-len(payload) % 8)


def compressed_zeros(name: str, shape: tuple[int, ...], n_values: int) -> bytes:
    """A compressed double variable whose header says ``shape`` and whose data are
    ``n_values`` zeros (``n_values`` need not fit ``shape``: a lying header). Zeros pack
    about 1000:1, so a few hundred kB unpack to hundreds of MB; compressed in 1 MB steps,
    so crafting it never holds the unpacked bytes."""
    header = (
        _element(6, struct.pack("<II", 6, 0))  # array flags: class double
        + _element(5, struct.pack(f"<{len(shape)}i", *shape))  # dimensions
        + _element(1, name.encode())
    )
    n_bytes = 8 * n_values
    matrix_tag = struct.pack("<II", 14, len(header) + 8 + n_bytes)  # miMATRIX
    packer = zlib.compressobj(9)
    parts = [packer.compress(matrix_tag + header + struct.pack("<II", 9, n_bytes))]
    step = bytes(1 << 20)
    for start in range(0, n_bytes, len(step)):
        parts.append(packer.compress(step[: min(len(step), n_bytes - start)]))
    parts.append(packer.flush())
    payload = b"".join(parts)
    return struct.pack("<II", 15, len(payload)) + payload  # miCOMPRESSED


def mat_file(*variables: bytes, version: int = 0x0100) -> bytes:
    """A MATLAB file: the 128-byte header (``version`` 0x0100 is v5/v7, 0x0200 v7.3) and
    the variables' elements."""
    text = b"MATLAB 5.0 MAT-file, crafted by the tests".ljust(116)
    return text + bytes(8) + struct.pack("<H", version) + b"IM" + b"".join(variables)


GOOD_TAIL = [mat_bytes(y=GOOD_Y, Xval=GOOD_X, yval=GOOD_Y)[128:]]  # the other three variables


def bomb(n_values: int) -> bytes:
    """X declared and filled as ``n_values`` zeros in one column, then y, Xval, yval."""
    return mat_file(compressed_zeros("X", (n_values, 1), n_values), *GOOD_TAIL)


def lying_bomb(n_values: int) -> bytes:
    """X declared as 30 x 2 but carrying ``n_values`` zeros."""
    return mat_file(compressed_zeros("X", (30, 2), n_values), *GOOD_TAIL)


def junk_beside_good_data(n_values: int) -> bytes:
    """Valid X, y, Xval, yval and a variable ``junk`` of ``n_values`` zeros."""
    return course_layout() + compressed_zeros("junk", (n_values, 1), n_values)


# An uncompressed variable of a class MATLAB does not have: loadmat fails on it (a raw
# UnboundLocalError in SciPy 1.17) unless told to read other variables only.
_ODD_HEADER = (
    _element(6, struct.pack("<II", 99, 0))
    + _element(5, struct.pack("<2i", 1, 1))
    + _element(1, b"odd")
)
UNREADABLE_VARIABLE = struct.pack("<II", 14, len(_ODD_HEADER)) + _ODD_HEADER

V73 = mat_file(version=0x0200) + b"\x89HDF\r\n\x1a\n" + bytes(64)  # HDF5 after the header

# Each a file and the start of what the core says about it.
MALFORMED_MATS = {
    "cell X": (course_layout(X=np.array([[1.0, 2.0]], dtype=object)), "X is a cell array;"),
    "struct X": (course_layout(X={"a": GOOD_X}), "X is a struct;"),
    "char X": (course_layout(X=np.array(["ab", "cd"])), "X is text (a char array);"),
    "sparse X": (course_layout(X=scipy.sparse.csc_matrix(GOOD_X)), "X is a sparse matrix;"),
    "complex X": (course_layout(X=GOOD_X * (1 + 1j)), "X / y has complex features;"),
    "complex yval": (course_layout(yval=GOOD_Y * 1j), "Xval / yval has complex labels;"),
    "v7.3": (V73, "This is a MATLAB v7.3 file, which the app cannot read;"),
    "bomb": (bomb(2_000_000), "X holds 2,000,000 values (shape (2000000, 1))"),
    "lying bomb": (lying_bomb(2_000_000), "The .mat file unpacks to more than 4 MB"),
    "junk": (junk_beside_good_data(2_000_000), "junk holds 2,000,000 values"),
}

LONG_FIELD_CSV = b"x1,x2,label\n0.1,0.2,1\n" + b"7" * 200_000 + b",0.3,0\n"
