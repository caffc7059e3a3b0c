"""English says "you" to a young person and to an adult alike: each "je" message of
portal/young.py gets the English of its "u" message where it has none yet (issue 15,
item 2). Run by ``make messages`` after the catalogues are updated."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from portal.young import YOUNG

path = Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
with path.open("rb") as fh:
    catalog = read_po(fh, locale="en")
filled = 0
for u_text, je_text in YOUNG.items():
    u_msg, je_msg = catalog.get(u_text), catalog.get(je_text)
    if u_msg is not None and je_msg is not None and u_msg.string and not je_msg.string:
        je_msg.string = u_msg.string
        je_msg.flags.discard("fuzzy")
        filled += 1
with path.open("wb") as fh:
    write_po(fh, catalog, sort_output=True, include_lineno=False)
print(f"{filled} English text(s) of 'je' messages filled")
