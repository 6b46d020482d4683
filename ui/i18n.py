"""The interface's strings in the reader's language (see the i18n work)."""


def _(message: str) -> str:
    return message
