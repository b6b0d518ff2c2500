"""Code generator: official OCPP JSON schemas -> ocpp_core/v16, v201, v21."""
