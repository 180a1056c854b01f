"""The package's exceptions. The C++ module raises these for the library's ConfigError and IoError."""


class ConfigError(ValueError):
    """Bad input: an unknown key, a wrong type, an impossible value, a malformed file.

    str(e) is the CLI's one-line message ("key = value: reason"); .key and .value are its parts. Raised before
    anything is written.
    """

    def __init__(self, message, key="", value=""):
        super().__init__(message)
        self.key = key
        self.value = value


class IoError(OSError):
    """A run or sweep directory that is refused (it exists: pass force=True) or cannot be written."""
