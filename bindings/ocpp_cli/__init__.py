"""ocpp-toolkit command line (`ocpp-toolkit`): thin I/O around the sans-IO `ocpp_core`.

Every subcommand lives in its own module with `add_parser(subparsers, parents)` and a
`run(args) -> int`; `ocpp_cli.main` only dispatches. Command modules import their heavy
dependencies (the codec, asyncio, ...) inside `run`, so `ocpp-toolkit --help` stays fast.
"""
