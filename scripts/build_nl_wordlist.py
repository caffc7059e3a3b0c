"""Build the Dutch passphrase word list (portal/data/wachtzin-nl.txt) from wordfreq.

Run: .venv/bin/python scripts/build_nl_wordlist.py   (needs `pip install 'wordfreq>=3.1,<4'`;
the portal itself reads only the text file this writes).

wordfreq (Robyn Speer; frequencies from Wikipedia, subtitles, news, books, web text)
gives the most common Dutch words first. From them we keep short, common, plain words:

- a base form in the OpenTaal Dutch dictionary (Debian's hunspell-nl,
  /usr/share/hunspell/nl.dic) written in small letters: this drops names of people and
  places (capitalised there) and inflected or made-up forms that wordfreq also counts;
- 4 to 8 letters a-z only (no accents, digits, capitals or hyphens: easy to type on
  any keyboard and to read out on the phone);
- not a common English word too (wordfreq's English top 20,000): the list should be
  plainly Dutch, and not confusable with the English list;
- no word that could upset someone who has lived with violence at home, and no
  swearing, body, drug or death words (BLOCK and BLOCK_PARTS below, by hand);
- in order of frequency, a word is taken only if it differs from every word already
  taken in at least MIN_DISTANCE edits (Levenshtein). With 3, one slip (a letter
  missing, extra, wrong or two letters swapped count as at most 2 edits from the
  word, and a single missing/extra/wrong letter as 1) is always nearer to one word than
  to any other, so the portal can correct it without guessing.

The list is cut at a power of two (SIZE) so every word carries exactly log2(SIZE) bits.
"""
from __future__ import annotations

import math
import re
import sys
from itertools import combinations
from pathlib import Path

DICTIONARY = Path("/usr/share/hunspell/nl.dic")  # apt-get install hunspell-nl (OpenTaal)
OUT = Path(__file__).resolve().parent.parent / "portal" / "data" / "wachtzin-nl.txt"
SIZE = 4096
MIN_DISTANCE = 3
WORD = re.compile(r"^[a-z]{4,8}$")

# Words that could upset, frighten or shame (violence, abuse, death, illness, sex,
# drugs, insults, police and court words), by hand; and parts that mark such words.
BLOCK = set("""
slaan sloeg slaat geslagen schop schoppen stomp stompen duwen duwde wurgen steken mes messen
pistool geweer wapen wapens kogel bloed bloeden wond wonden pijn angst bang eng dood doden
dode doodt moord moorden vermoord lijk lijken graf begraven sterven stierf kapot breken brak
gebroken huilen huilde tranen schreeuw gillen gil boos woede haat haten vechten gevecht ruzie
dreigen dreiging bedreigd gevaar gevaarlijk politie agent agenten cel gevangen rechter straf
straffen boete arrest misbruik verkrachting seks sex naakt borst borsten kont penis lul kut
pik hoer slet neuken geil porno drugs drug coke wiet hasj pillen drank dronken zuipen alcohol
bier wijn jenever roken sigaret ziek ziekte kanker dokter ziekenhuis gek gekke idioot dom
domme stom stomme debiel mongool tering kanker klote shit fuck kak poep pis zeik hel duivel
satan oorlog bom bommen terror vuur brand branden dief diefstal stelen stal liegen leugen
scheiding scheiden weg vlucht vluchten verlaten alleen eenzaam zelfmoord dader slachtoffer
melding jeugdzorg veilig thuis geheim geheimen schuld schulden arm armoede honger dakloos
dik dikke lelijk vies vieze smerig zwart neger jood joden homo flikker mongolen
abortus absint mislukt mislukken falen faalt fout ramp rampen crisis dwang dwingen kwaad
slecht slechte zwak zwakke schande schaam schamen ontslag ruzie vijand vijanden gif giftig
ongeluk letsel gewond trauma psychose depressie paniek stress zorgen verdriet rouw weduwe
wees wezen kind kinderen ouder ouders vader moeder mama papa broer zus baby zwanger
driftbui embolie abces bacterie cognac whisky wodka likeur gesmeerd henkie ridicuul
""".split())
BLOCK_PARTS = ("moord", "dood", "sterf", "slaan", "sloeg", "schiet", "bloed", "wapen", "seks", "sex", "porn",
               "neuk", "hoer", "kut", "lul", "pijn", "angst", "haat", "ziek", "kank", "drug", "drank",
               "dronk", "politie", "straf", "gevang", "misbr", "verkr", "zelfm", "lijk", "graf", "oorlog",
               "terror", "geweld", "klote", "tering", "fuck", "shit", "kill", "dief", "steel", "stal",
               "homo", "neger", "jood", "mongo", "debiel", "idioot", "duivel", "satan", "abort",
               "dwang", "schaam", "rouw", "dader", "slacht", "gewond", "wapen", "bom", "gif", "gas")


def levenshtein(a: str, b: str, cap: int = MIN_DISTANCE) -> int:
    """Edit distance, stopping early once it reaches `cap`."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) >= cap:
            return cap
        prev = cur
    return min(prev[-1], cap)


def deletes(word: str, depth: int) -> set[str]:
    out = {word}
    for _ in range(depth):
        out |= {w[:i] + w[i + 1:] for w in out for i in range(len(w))}
    return out


def dictionary_words() -> set[str]:
    """The base forms in the OpenTaal dictionary that are written in small letters."""
    if not DICTIONARY.exists():
        raise SystemExit(f"{DICTIONARY} is missing: apt-get install hunspell-nl")
    lines = DICTIONARY.read_text(encoding="utf-8").splitlines()[1:]
    return {w for w in (line.split("/", 1)[0] for line in lines) if WORD.match(w)}


def acceptable(word: str, english: set[str], dutch: set[str]) -> bool:
    return (bool(WORD.match(word)) and word in dutch and word not in english and word not in BLOCK
            and not any(part in word for part in BLOCK_PARTS))


def build() -> list[str]:
    from wordfreq import top_n_list

    from xkcdpass import xkcd_password

    # Not a common English word, and not a word of the English passphrase list.
    english = set(top_n_list("en", 20000)) | set(
        xkcd_password.generate_wordlist(wordfile=xkcd_password.locate_wordfile("eff-long"), min_length=1, max_length=20))
    dutch = dictionary_words()
    chosen: list[str] = []
    index: dict[str, list[str]] = {}  # a word's deletions (up to 2) -> the chosen words that have it
    for word in top_n_list("nl", 200000):
        if not acceptable(word, english, dutch):
            continue
        keys = deletes(word, MIN_DISTANCE - 1)
        near = {other for k in keys for other in index.get(k, ())}
        if any(levenshtein(word, other) < MIN_DISTANCE for other in near):
            continue
        chosen.append(word)
        for k in keys:
            index.setdefault(k, []).append(word)
        if len(chosen) == SIZE:
            break
    return chosen


def check(words: list[str]) -> None:
    """Every pair at least MIN_DISTANCE apart (the whole list, the slow way)."""
    for a, b in combinations(words, 2):
        assert levenshtein(a, b) >= MIN_DISTANCE, (a, b)


def main() -> int:
    words = build()
    if len(words) < SIZE:
        print(f"only {len(words)} words; lower SIZE", file=sys.stderr)
        return 1
    if "--check" in sys.argv:
        check(words)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(w + "\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words, {math.log2(len(words)):.1f} bits each -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
