"""Reading the local corpus files, with errors that name the file and line."""

import os


class MalformedFileError(ValueError):
    """A data file does not have the expected format (names file and line)."""

    def __init__(self, path, line, message):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


def find_file(directory, candidates, what, required=True):
    """The first of `candidates` (file names) that exists in `directory`."""
    for name in candidates:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    if required:
        raise FileNotFoundError(
            f"no {what} in {directory!r}: expected one of {', '.join(candidates)}"
        )
    return None


def read_lines(path):
    """Yields (line_number, text) of a UTF-8 text file; empty lines are errors."""
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise MalformedFileError(path, None, f"cannot open: {error}") from error
    number = 0
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").rstrip("\n").rstrip("\r")
            except UnicodeDecodeError as error:
                raise MalformedFileError(
                    path, number, f"not UTF-8 text ({error.reason})"
                ) from error
            if not text.strip():
                raise MalformedFileError(path, number, "empty line")
            yield number, text
    if number == 0:
        raise MalformedFileError(path, None, "file is empty")


def read_documents(path):
    """One whitespace-tokenised document per line -> list of normalised strings."""
    return [" ".join(text.split()) for _, text in read_lines(path)]


def read_labelled(path, labels=("0", "1")):
    """`label<TAB>sentence` lines -> (sentences, integer labels)."""
    sentences, out = [], []
    for number, text in read_lines(path):
        columns = text.split("\t")
        if len(columns) != 2:
            raise MalformedFileError(
                path,
                number,
                f"expected 'label<TAB>sentence' (2 columns), got {len(columns)}",
            )
        label, sentence = columns
        if label.strip() not in labels:
            raise MalformedFileError(
                path, number, f"label {label!r} is not one of {', '.join(labels)}"
            )
        if not sentence.strip():
            raise MalformedFileError(path, number, "empty sentence")
        sentences.append(" ".join(sentence.split()))
        out.append(labels.index(label.strip()))
    return sentences, out
