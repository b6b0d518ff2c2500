"""The one exception a command raises for a mistake of the user's (exit status 2)."""

# Exit statuses shared by every command.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # the shell's 128 + SIGPIPE, e.g. `ocpp-toolkit validate ... | head`


class UsageError(Exception):
    """The user asked for something we cannot do (no such file, not UTF-8, ...).

    `main` prints it as `ocpp-toolkit <command>: error: <message>`, with no traceback,
    and exits with status 2, the same way argparse reports a bad option.
    """
