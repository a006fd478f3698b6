"""Numba kernels that parse word2vec-format files (text and binary) out of one byte buffer.

The Python in :mod:`wordspace.vectors` only orchestrates: it maps the file, calls one kernel,
turns its status code into a :class:`~wordspace.errors.ModelFormatError` and decodes the tokens.

Each kernel returns ``(status, row, detail)``; ``status`` is one of the ``OK``/``E_*`` codes below,
``row`` the 0-based data row where parsing stopped, ``detail`` a code-specific number (the count of
values found on a short row, for instance).
"""

from __future__ import annotations

import numba
import numpy as np

OK = 0
E_EOF = 1  # the file ended before the announced number of rows
E_FEW_VALUES = 2  # a text row has fewer values than the header's dimension
E_MANY_VALUES = 3  # a text row has more values than the header's dimension
E_BAD_NUMBER = 4  # a text field is not a number
E_NOT_FINITE = 5  # a value is NaN or infinite
E_EMPTY_TOKEN = 6  # a row starts with a space: no token

_POW10 = np.array([10.0**i for i in range(23)], dtype=np.float64)


@numba.njit(cache=True, nogil=True)
def _is_blank(c):
    return c == 32 or c == 9 or c == 13 or c == 11 or c == 12


@numba.njit(cache=True, nogil=True)
def _parse_float(buf, pos, end, pow10):
    """Parse one decimal number at ``buf[pos:end]``; returns (value, new_pos, status).

    Correctly rounded (to float64) for up to 19 significant digits and a decimal exponent
    within +-22, which covers everything word2vec, gensim and wordspace write.
    """
    n = end
    negative = False
    if pos < n and (buf[pos] == 45 or buf[pos] == 43):  # - +
        negative = buf[pos] == 45
        pos += 1
    if pos < n:
        c = buf[pos] | 32
        if c == 110 or c == 105:  # n(an), i(nf)
            return 0.0, pos, E_NOT_FINITE
    mantissa = np.int64(0)
    digits = 0
    exponent = 0
    seen_digit = False
    while pos < n and 48 <= buf[pos] <= 57:
        seen_digit = True
        if digits < 19:
            mantissa = mantissa * 10 + (buf[pos] - 48)
            if mantissa > 0:
                digits += 1
        else:
            exponent += 1
        pos += 1
    if pos < n and buf[pos] == 46:  # .
        pos += 1
        while pos < n and 48 <= buf[pos] <= 57:
            seen_digit = True
            if digits < 19:
                mantissa = mantissa * 10 + (buf[pos] - 48)
                if mantissa > 0:
                    digits += 1
                exponent -= 1
            pos += 1
    if not seen_digit:
        return 0.0, pos, E_BAD_NUMBER
    if pos < n and (buf[pos] | 32) == 101:  # e E
        pos += 1
        exp_negative = False
        if pos < n and (buf[pos] == 45 or buf[pos] == 43):
            exp_negative = buf[pos] == 45
            pos += 1
        if not (pos < n and 48 <= buf[pos] <= 57):
            return 0.0, pos, E_BAD_NUMBER
        e = 0
        while pos < n and 48 <= buf[pos] <= 57:
            if e < 100000:
                e = e * 10 + (buf[pos] - 48)
            pos += 1
        exponent += -e if exp_negative else e
    value = np.float64(mantissa)
    if mantissa != 0:
        if 0 <= exponent <= 22:
            value = value * pow10[exponent]
        elif -22 <= exponent < 0:
            value = value / pow10[-exponent]
        elif exponent > 22:
            value = value * 10.0**exponent if exponent <= 308 else np.inf
        else:
            while exponent < -22 and value != 0.0:
                value = value / pow10[22]
                exponent += 22
            value = value / pow10[-exponent]
    if negative:
        value = -value
    return value, pos, OK


@numba.njit(cache=True, nogil=True)
def parse_text(buf, start, n_rows, dim, token_bounds, out, pow10):
    """Parse ``n_rows`` text rows ``token v1 ... vdim`` starting at byte ``start``.

    Fills ``token_bounds[i] = (begin, end)`` and ``out[i, :]`` (float32).
    """
    size = buf.shape[0]
    pos = start
    for row in range(n_rows):
        if pos >= size:
            return E_EOF, row, 0
        begin = pos
        while pos < size and buf[pos] != 32 and buf[pos] != 10:
            pos += 1
        end = pos
        # a CR before the newline of a token-only line belongs to the line ending
        if end > begin and pos < size and buf[pos] == 10 and buf[end - 1] == 13:
            end -= 1
        if end == begin:
            return E_EMPTY_TOKEN, row, 0
        token_bounds[row, 0] = begin
        token_bounds[row, 1] = end
        for j in range(dim):
            while pos < size and _is_blank(buf[pos]):
                pos += 1
            if pos >= size or buf[pos] == 10:
                return E_FEW_VALUES, row, j
            value, new_pos, status = _parse_float(buf, pos, size, pow10)
            if status != OK:
                return status, row, j
            if new_pos < size and not (_is_blank(buf[new_pos]) or buf[new_pos] == 10):
                return E_BAD_NUMBER, row, j
            # beyond FLT_MAX + half an ulp the float32 would be infinite
            if value != value or value >= 3.4028235677973366e38 or \
                    value <= -3.4028235677973366e38:
                return E_NOT_FINITE, row, j
            out[row, j] = value
            pos = new_pos
        while pos < size and _is_blank(buf[pos]):
            pos += 1
        if pos < size and buf[pos] != 10:
            return E_MANY_VALUES, row, dim
        pos += 1  # the newline
    return OK, n_rows, 0


@numba.njit(cache=True, nogil=True)
def parse_binary(buf, start, n_rows, dim, token_bounds, out_bytes):
    """Parse ``n_rows`` binary rows ``token`` + space + ``4 * dim`` bytes (+ optional newline).

    Leading newlines before a token are skipped: the C tool writes one after each vector,
    gensim does not.  ``out_bytes`` is the float32 output matrix viewed as uint8 rows.
    """
    size = buf.shape[0]
    width = 4 * dim
    pos = start
    for row in range(n_rows):
        while pos < size and buf[pos] == 10:
            pos += 1
        if pos >= size:
            return E_EOF, row, 0
        begin = pos
        while pos < size and buf[pos] != 32:
            pos += 1
        if pos >= size:
            return E_EOF, row, 1
        if pos == begin:
            return E_EMPTY_TOKEN, row, 0
        token_bounds[row, 0] = begin
        token_bounds[row, 1] = pos
        pos += 1
        if pos + width > size:
            return E_EOF, row, 2
        for k in range(width):
            out_bytes[row, k] = buf[pos + k]
        pos += width
    return OK, n_rows, pos
