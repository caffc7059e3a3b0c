"""A generated dossier for the workbench at scale (issue 12 item 3): the example
dossier's persons and ``n`` entries of four sentences each, about Mark Jansen (p2) and
others, naming the reporter, the protected mother's address, the children and an
informant, so that every entry carries several automatic redactions. Seeded: the same
``n`` gives the same dossier. Shared by tests/backoffice/test_copy_workbench_scale.py
and benchmarks/workbench.py."""
from __future__ import annotations

import copy
import random
from datetime import date, timedelta

from .dossier_helpers import example

#: Sentences with identifiers of others (the reporter, the protected address, a phone,
#: the informant, the children) and plain ones; an entry takes four.
SENTENCES = [
    "Ineke Bosman belt opnieuw over de kinderen en noemt het nummer 040-1234567.",
    "Moeder Sanne de Vries woont nu aan de Lindelaan 14 in Eindhoven.",
    "Lotte Jansen vertelt op school dat het thuis onrustig is.",
    "Daan Jansen speelt veel buiten en zegt weinig over thuis.",
    "Pieter van Dam van het wijkteam heeft het gezin bezocht.",
    "Vader Mark Jansen zegt dat hij hulp wil bij het opvoeden.",
    "De medewerker heeft met beide ouders afspraken gemaakt over de veiligheid.",
    "Tijdens het huisbezoek was het huis schoon en opgeruimd.",
    "School meldt dat de oudste vaak moe is en soms te laat komt.",
    "Het wijkteam gaat over zes weken opnieuw op bezoek.",
    "Sanne is bereikbaar via sanne.devries@example.nl of 06-12345678.",
    "De huisarts kent het gezin en heeft geen zorgen over de gezondheid.",
]
KINDS = ["report", "conversation", "home_visit", "consultation"]


def big_dossier(n: int, *, seed: int = 12) -> dict:
    """The example dossier with its entries replaced by ``n`` generated ones, each of
    four sentences, each concerning Mark Jansen (p2) so that all are in his copy."""
    rnd = random.Random(seed)
    doc = copy.deepcopy(example())
    kinds = sorted({e["kind"] for e in doc["entries"]}) or KINDS
    natures = sorted({e["nature"] for e in doc["entries"]})
    start = date(2025, 1, 6)
    entries = []
    for i in range(n):
        text = " ".join(rnd.sample(SENTENCES, 4))
        entries.append({
            "id": f"e{i + 1}", "date": (start + timedelta(days=i // 3)).isoformat(),
            "kind": kinds[i % len(kinds)], "title": f"Gesprek {i + 1}" if i % 5 else "Melding van Ineke Bosman",
            "author": "Veilig Thuis, medewerker", "source_person": rnd.choice(["p5", "p6", "p1", "p2"]),
            "nature": natures[i % len(natures)], "concerns": ["p2", rnd.choice(["p3", "p4", "p1"])], "text": text,
        })
    doc["entries"] = entries
    doc["opened_on"], doc["closed_on"] = start.isoformat(), entries[-1]["date"] if entries else start.isoformat()
    doc["dossier_id"] = f"VT-2025-{n:06d}"
    return doc
