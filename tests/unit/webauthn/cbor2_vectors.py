#!/usr/bin/env python3
"""Prints CBOR encodings made by cbor2 (Debian python3-cbor2), one per line, as
`<hex> <diagnostic>`, for cbor_test.cpp to decode and compare. The diagnostic is a small
notation both sides can write: integers in decimal, byte strings h'..', text strings t'..' (the
UTF-8 bytes in hex), arrays [a,b], maps {k:v,k:v} in encoded order, true, false, null,
undefined. Exit status 2 when cbor2 is missing."""
import random
import sys

try:
    import cbor2
except ImportError:
    sys.stderr.write("python3-cbor2 is not installed\n")
    sys.exit(2)


def diag(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if v is cbor2.undefined:
        return "undefined"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "h'" + v.hex() + "'"
    if isinstance(v, str):
        return "t'" + v.encode("utf-8").hex() + "'"
    if isinstance(v, list):
        return "[" + ",".join(diag(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(diag(k) + ":" + diag(x) for k, x in v.items()) + "}"
    raise TypeError(type(v))


def random_value(rng, depth):
    choice = rng.randrange(9 if depth < 4 else 6)
    if choice == 0:
        return rng.choice([0, 1, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1,
                           rng.randrange(2**64)])
    if choice == 1:
        return rng.choice([-1, -24, -25, -256, -257, -65537, -(2**32), -(2**63),
                           -rng.randrange(1, 2**63)])
    if choice == 2:
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 23, 24, 255, 256, 300])))
    if choice == 3:
        return "".join(rng.choice("aZ09 é€𐍈\u00fc") for _ in range(rng.randrange(30)))
    if choice == 4:
        return rng.choice([True, False, None, cbor2.undefined])
    if choice == 5:
        return rng.randrange(-(2**63), 2**64)
    if choice == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3, 24, 30]))]
    keys = set()
    out = {}
    for _ in range(rng.randrange(8)):
        k = rng.choice([rng.randrange(-300, 300), "k" + str(rng.randrange(100))])
        if k in keys:
            continue
        keys.add(k)
        out[k] = random_value(rng, depth + 1)
    return out


def main():
    rng = random.Random(20240614)
    fixed = [
        0, 23, 24, 2**64 - 1, -(2**63), -1, b"", "", "\u00fc\u6c34\U00010151", [], {},
        # A COSE_Key (RFC 9053 §7.1.1 labels) and an attestation-object-shaped map.
        {1: 2, 3: -7, -1: 1, -2: bytes(range(32)), -3: bytes(range(32, 64))},
        {"fmt": "none", "attStmt": {}, "authData": bytes(range(37))},
        [1, [2, 3], [4, 5]], {"a": 1, "b": [2, 3]},
    ]
    values = fixed + [random_value(rng, 0) for _ in range(300)]
    for v in values:
        # canonical=True: shortest forms, definite lengths, as CTAP2 authenticators write.
        encoded = cbor2.dumps(v, canonical=True)
        print(encoded.hex(), diag(cbor2.loads(encoded)))


main()
