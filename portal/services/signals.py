"""What a service tells the rest after its commit, as blinker signals (the library
behind Flask's own signals; Indico's ``core/signals`` works the same way). A service
sends; whoever must react connects, so no service imports the one that reacts.

Today the reactions are background jobs: ``portal/services/copies/tasks.py`` connects
to the copy's signals and enqueues the detector and the renderer, and
``portal/services/tasks.py`` enqueues every e-mail (``portal/services/outbox.py``).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A new draft copy was stored (sender: the copy's id): run the free-text detector.
copy_created = _signals.signal("copy-created")
#: The texts a copy prints changed while it is unreleased (a correction or an own
#: statement landed, art. 15, 16; sender: the copy's id): run the detector over them again.
copy_texts_changed = _signals.signal("copy-texts-changed")
#: A copy's PDF is wanted at this version (sender: the copy's id; ``version``): render it.
copy_render_wanted = _signals.signal("copy-render-wanted")
#: An e-mail is to be sent (sender: the message, sealed by the Vault): the worker sends it.
mail_wanted = _signals.signal("mail-wanted")
#: Someone asked for a status link (sender: reference and address, sealed by the Vault):
#: the worker looks them up and, when they match, mails the link.
status_link_wanted = _signals.signal("status-link-wanted")
