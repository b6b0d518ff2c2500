"""Certificate hash data <-> wire (identical in 1.6 security and 2.x)."""

from ocpp_core.generic import model_extra as x
from ocpp_core.generic.mapping import Wire


def hash_data_out(data: x.CertificateHashData) -> Wire:
    return {
        "hashAlgorithm": data.hash_algorithm,
        "issuerNameHash": data.issuer_name_hash,
        "issuerKeyHash": data.issuer_key_hash,
        "serialNumber": data.serial_number,
    }


def hash_data_in(wire: Wire) -> x.CertificateHashData:
    return x.CertificateHashData(
        hash_algorithm=wire["hashAlgorithm"],
        issuer_name_hash=wire["issuerNameHash"],
        issuer_key_hash=wire["issuerKeyHash"],
        serial_number=wire["serialNumber"],
    )
