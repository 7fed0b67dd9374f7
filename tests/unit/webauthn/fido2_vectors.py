#!/usr/bin/env python3
"""Builds WebAuthn registrations and authentications with python-fido2 (Debian python3-fido2),
an independent implementation, checks each with fido2's own verifiers, and prints them as JSON
lines for ceremony_test.cpp: one line per case with the hex of every byte field. Fresh keys each
run. Exit status 2 when fido2 (or its dependency cryptography) is missing."""
import datetime
import hashlib
import json
import os
import sys

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.x509.oid import NameOID
    from fido2.attestation import NoneAttestation, PackedAttestation
    from fido2.client import ClientData
    from fido2.cose import ES256, RS256, EdDSA
    from fido2.ctap2 import AttestationObject, AttestedCredentialData, AuthenticatorData
    from fido2.utils import websafe_encode
except ImportError as e:
    sys.stderr.write("python3-fido2 is not installed: %s\n" % e)
    sys.exit(2)

RP_ID = "login.example.com"
ORIGIN = "https://login.example.com"
AAGUID = bytes.fromhex("f8a011f38c0a4d15800617111f9edc7d")


def sign(private_key, message):
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(message, ec.ECDSA(hashes.SHA256()))  # DER, as WebAuthn wants
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return private_key.sign(message)


def credential_key(alg):
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        return private, ES256.from_cryptography_key(private.public_key())
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return private, RS256.from_cryptography_key(private.public_key())
    private = ed25519.Ed25519PrivateKey.generate()
    return private, EdDSA.from_cryptography_key(private.public_key())


def attestation_certificate(ou="Authenticator Attestation", leaf_is_ca=False, aaguid=AAGUID,
                            critical=False):
    """A CA and a leaf meeting WebAuthn L2 §8.2.1 with the AAGUID extension, unless told
    otherwise."""
    now = datetime.datetime(2024, 1, 1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "authpp test attestation CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "authpp tests"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
        x509.NameAttribute(NameOID.COMMON_NAME, "authpp test batch 1"),
    ])
    leaf = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
            .public_key(leaf_key.public_key()).serial_number(2)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=leaf_is_ca, path_length=None), critical=True)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"), b"\x04\x10" + aaguid),
                critical=critical)
            .sign(ca_key, hashes.SHA256()))
    der = serialization.Encoding.DER
    return leaf_key, [leaf.public_bytes(der), ca.public_bytes(der)]


def client_data(type_, challenge):
    return ClientData.build(type=type_, challenge=websafe_encode(challenge), origin=ORIGIN,
                            crossOrigin=False)


def registration(alg, fmt, expect="ok", **certificate):
    private, cose = credential_key(alg)
    challenge = os.urandom(32)
    cd = client_data("webauthn.create", challenge)
    credential_id = os.urandom(64)
    flags = 0x01 | 0x04 | 0x08 | 0x10 | 0x40  # UP UV BE BS AT
    auth_data = AuthenticatorData.create(
        hashlib.sha256(RP_ID.encode()).digest(), flags, 0,
        AttestedCredentialData.create(AAGUID, credential_id, cose))
    if fmt == "none":
        statement = {}
        NoneAttestation().verify(statement, auth_data, cd.hash)
    elif fmt == "packed-self":
        statement = {"alg": cose.ALGORITHM, "sig": sign(private, auth_data + cd.hash)}
        PackedAttestation().verify(statement, auth_data, cd.hash)
    else:
        leaf_key, chain = attestation_certificate(**certificate)
        statement = {"alg": -7, "sig": sign(leaf_key, auth_data + cd.hash), "x5c": chain}
        if expect == "ok":
            PackedAttestation().verify(statement, auth_data, cd.hash)
        elif expect != "critical-aaguid":  # fido2 does not look at the critical bit
            try:
                PackedAttestation().verify(statement, auth_data, cd.hash)
            except Exception:  # fido2 refuses it too: the case is wrong for both
                pass
            else:
                raise AssertionError("fido2 accepts the " + expect + " certificate")
    # with_string_keys: the WebAuthn form ("fmt", "attStmt", "authData"), as browsers send it,
    # not CTAP2's integer keys.
    attestation = AttestationObject.create("packed" if fmt != "none" else "none", auth_data,
                                           statement).with_string_keys()
    # Parsed back by fido2: the bytes are what fido2 reads as this credential.
    assert AttestationObject(bytes(attestation)).auth_data.credential_data.public_key == cose

    # An authentication with the new credential: fido2 checks the signature itself.
    get_challenge = os.urandom(32)
    get_cd = client_data("webauthn.get", get_challenge)
    get_auth_data = AuthenticatorData.create(hashlib.sha256(RP_ID.encode()).digest(),
                                             0x01 | 0x04 | 0x08 | 0x10, 7)
    signature = sign(private, get_auth_data + get_cd.hash)
    cose.verify(get_auth_data + get_cd.hash, signature)
    return {
        "name": alg + " " + fmt + (" " + expect if expect != "ok" else ""),
        "expect": expect,
        "alg": cose.ALGORITHM,
        "rp_id": RP_ID,
        "origin": ORIGIN,
        "challenge": challenge.hex(),
        "client_data": bytes(cd).hex(),
        "attestation_object": bytes(attestation).hex(),
        "credential_id": credential_id.hex(),
        "aaguid": AAGUID.hex(),
        "get_challenge": get_challenge.hex(),
        "get_client_data": bytes(get_cd).hex(),
        "get_authenticator_data": bytes(get_auth_data).hex(),
        "get_signature": signature.hex(),
    }


def main():
    for alg in ("ES256", "RS256", "EdDSA"):
        for fmt in ("none", "packed-self"):
            print(json.dumps(registration(alg, fmt)))
    print(json.dumps(registration("ES256", "packed-x5c")))
    # Leaf certificates that break one §8.2.1 requirement each.
    print(json.dumps(registration("ES256", "packed-x5c", "wrong-ou", ou="Authenticator")))
    print(json.dumps(registration("ES256", "packed-x5c", "ca-leaf", leaf_is_ca=True)))
    print(json.dumps(registration("ES256", "packed-x5c", "aaguid-mismatch", aaguid=bytes(16))))
    print(json.dumps(registration("ES256", "packed-x5c", "critical-aaguid", critical=True)))


main()
