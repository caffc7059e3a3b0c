"""Dutch is the source language: its catalogue translates every text to itself."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent.parent / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
with path.open("rb") as fh:
    catalog = read_po(fh, locale="nl")
for message in catalog:
    if message.id:
        message.string = message.id
        message.flags.discard("fuzzy")
with path.open("wb") as fh:
    write_po(fh, catalog, sort_output=True, include_lineno=False)
