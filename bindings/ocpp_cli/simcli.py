"""Option parsing shared by the simulator commands (`csms`, `station`, `demo`): version
lists, TLS contexts and the frame log, each turning a mistake into a UsageError."""

import argparse
import os
from typing import IO, Any, Optional

from ocpp_cli.usage import UsageError

VERSION_CHOICES = ("1.6", "2.0.1", "2.1")


def versions_list(text: str) -> "tuple[str, ...]":
    """argparse type of `--versions 1.6,2.0.1,2.1`."""
    versions = tuple(part.strip() for part in text.split(",") if part.strip())
    if not versions:
        raise argparse.ArgumentTypeError("name at least one OCPP version")
    for version in versions:
        if version not in VERSION_CHOICES:
            raise argparse.ArgumentTypeError(
                f"unknown OCPP version {version!r} (choose from {', '.join(VERSION_CHOICES)})"
            )
    if len(set(versions)) != len(versions):
        raise argparse.ArgumentTypeError("a version is listed twice")
    return versions


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be zero or a positive number: {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0..65535: {text!r}")
    return value


def add_tls_options(parser: argparse.ArgumentParser, side: str) -> None:
    group = parser.add_argument_group("TLS (security profiles 2 and 3)")
    if side == "csms":
        group.add_argument("--tls-cert", metavar="FILE", help="server certificate chain (PEM)")
        group.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
        group.add_argument(
            "--tls-ca",
            metavar="FILE",
            help="CA (PEM) whose client certificates are required (security profile 3)",
        )
    else:
        group.add_argument("--tls-ca", metavar="FILE", help="CA (PEM) to trust for a wss:// CSMS")
        group.add_argument(
            "--tls-cert", metavar="FILE", help="client certificate chain (PEM, profile 3)"
        )
        group.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")


def _check_file(path: str, option: str) -> None:
    if not os.path.isfile(path):
        raise UsageError(f"{option}: cannot read {path}: no such file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option}: cannot read {path}: permission denied")


def server_ssl(args: argparse.Namespace) -> Any:
    """The SSLContext of `--tls-cert/--tls-key/--tls-ca` (CSMS side), or None."""
    if args.tls_cert is None and args.tls_key is None and args.tls_ca is None:
        return None
    if args.tls_cert is None:
        raise UsageError("--tls-key and --tls-ca need --tls-cert")
    import ssl

    for path, option in (
        (args.tls_cert, "--tls-cert"),
        (args.tls_key, "--tls-key"),
        (args.tls_ca, "--tls-ca"),
    ):
        if path is not None:
            _check_file(path, option)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_ca is not None:
            context.load_verify_locations(args.tls_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise UsageError(f"cannot load the TLS files: {exc}") from None
    return context


def client_ssl(args: argparse.Namespace, secure: bool) -> Any:
    """The SSLContext of a station (`--tls-ca`, `--tls-cert/--tls-key`), or None."""
    given = args.tls_ca is not None or args.tls_cert is not None or args.tls_key is not None
    if not secure:
        if given:
            raise UsageError("the --tls-* options need a wss:// URL")
        return None
    import ssl

    context = ssl.create_default_context()
    try:
        if args.tls_ca is not None:
            _check_file(args.tls_ca, "--tls-ca")
            context.load_verify_locations(args.tls_ca)
        if args.tls_cert is not None:
            _check_file(args.tls_cert, "--tls-cert")
            if args.tls_key is not None:
                _check_file(args.tls_key, "--tls-key")
            context.load_cert_chain(args.tls_cert, args.tls_key)
        elif args.tls_key is not None:
            raise UsageError("--tls-key needs --tls-cert")
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise UsageError(f"cannot load the TLS files: {exc}") from None
    return context


def open_log(path: Optional[str]) -> "Optional[IO[str]]":
    if path is None:
        return None
    try:
        # Line buffered: a log read while the simulator runs is complete up to a line.
        return open(path, "w", encoding="utf-8", buffering=1)
    except OSError as exc:
        raise UsageError(f"--log: cannot write {path}: {exc.strerror}") from None
