"""The one exception family the CLI turns into a one-line message and exit code 3.

Every stage raises a subclass for input it cannot read (a broken APK, a truncated flow
file, a foreign bundle, a broken profile), so the user never sees a traceback and the
exit code means the same in every command.
"""


class UnreadableInput(Exception):
    """Input that cannot be read at all; the message is the one line shown to the user."""
