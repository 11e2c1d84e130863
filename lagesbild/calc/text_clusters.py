"""Recurring patterns in free text (incident descriptions): scrub, normalise, TF-IDF, clusters.

The steps, in order (docs/clusters.md tells why and what was measured):

1. **Scrub** personal data before anything else: Swedish identity numbers in every written form
   (personnummer and samordningsnummer, 10 or 12 digits, with ``-``, ``+``, a space or nothing
   between date and serial) and names (a capitalised first name from ``swedish_first_names.txt``
   followed by a capitalised surname; a listed first name inside a sentence; capitalised words
   after "patienten", "anhörig", "ssk" and the like; a capitalised word ending in "-sson").
   Nothing of a scrubbed span reaches the vocabulary, so a stored model holds no personal data.
2. **Normalise**: lower case (å, ä, ö kept), numbers become the token ``nnn``, punctuation a space.
3. **Features**: TF-IDF (sublinear tf, smoothed idf, l2) over Swedish-stemmed words
   (snowballstemmer) without stop words, stacked beside TF-IDF over character n-grams (3–5,
   within word boundaries) that catch compounds ("insulindos" near "insulin", "dos").
4. **Clusters** (over-segment, then merge): on a fixed-seed sample of at most ``sample`` texts,
   k-means (fixed seed) cuts the l2-normalised rows into many small, pure segments (``segments``,
   150 by default: more than the themes, so no segment has to hold two of them); then the two
   groups whose mean vectors are most alike (cosine) are merged, again and again, while that
   cosine is at least ``merge_cosine`` (0.3) – pieces of one theme share its later sentences,
   different themes hardly share words – and after that only while there are more than ``k``
   groups (``k`` is an upper bound), then the pair that adds least spread (Ward's cost). A pattern
   is a group's mean TF-IDF vector (non-negative), labelled by its top stemmed words, each shown
   as its most frequent surface form.
5. **Assignment**: a text's weights come from projecting it onto the *stored* pattern vectors
   (non-negative least squares, each text on its own); it belongs to its dominant pattern when
   that carries at least ``threshold`` of its total weight, else to "övrigt" (``None``).

``fit`` returns a ``Model`` that serialises to bytes (``to_bytes``: a numpy ``.npz`` without pickled
objects), and ``assign(model, texts)`` projects any texts onto it, so pattern numbers stay the same
from run to run until someone refits on purpose. (The first version fitted Kullback–Leibler NMF
topics; a stored model of that kind is read and assigned the same way.)

Pure Python with numpy, scipy and scikit-learn: no Django.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

NUMBER_TOKEN = "nnn"
ID_MARK = "[personnummer]"
NAME_MARK = "[namn]"
OTHER_LABEL = "övrigt"
FORMAT_VERSION = 1

DEFAULT_K = 60  # at most this many patterns (the merging normally stops before: 50 on the demo)
DEFAULT_SEGMENTS = 150  # k-means segments before the merging (fewer for small samples: MIN_SEGMENT_SIZE)
MIN_SEGMENT_SIZE = 10  # at least this many sampled texts per segment on average
DEFAULT_MERGE_COSINE = 0.3  # groups whose mean vectors are at least this alike are one pattern
DEFAULT_THRESHOLD = 0.4  # the dominant topic's share of a text's total topic weight
DEFAULT_CHAR_WEIGHT = 0.3  # the character block's share of a row's squared norm
DEFAULT_SAMPLE = 10_000  # the pattern vectors are learnt from at most this many texts (all are assigned)
DEFAULT_MAX_WORDS = 20_000
DEFAULT_MAX_CHARS = 40_000
DEFAULT_CHAR_RANGE = (3, 5)
RANDOM_STATE = 0

# ---------------------------------------------------------------------------------------------
# 1. Scrubbing

# A date part YYMMDD (month 01–12, day 01–31 or 61–91 for a samordningsnummer), an optional century
# 18–20 before it, a separator (-, +, a space or none) and four digits. The check digit is not
# required: in text that is only clustered, scrubbing a mistyped number is better than keeping it.
_ID_NUMBER = re.compile(
    r"(?<![\d])(?:(?:18|19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"\s?[-+]?\s?\d{4}(?![\d])"
)

_UPPER = "A-ZÅÄÖÉÜÆØÇĆČŠŽĐŁŃŚŹŻ"
# A capitalised word: an upper-case letter, then lower-case letters of any alphabet (so "APT" and
# "LPT" are not names); one hyphenated second part (Ann-Marie, Svensson-Berg).
_NAME_PART = rf"[{_UPPER}](?:[^\W\d_](?<![{_UPPER}]))+"
_CAP = rf"{_NAME_PART}(?:-{_NAME_PART})?"
_CAP_WORD = re.compile(rf"(?<![^\W\d_]){_CAP}")
# Words after which a capitalised word inside the sentence is a person's name.
_NAME_CONTEXT = (
    "patienten", "patient", "patientens", "pat", "anhörig", "anhöriga", "närstående", "dotter", "dottern",
    "son", "sonen", "maken", "makan", "make", "maka", "hustrun", "mannen", "frun", "sambon", "mamma",
    "mamman", "pappa", "pappan", "ssk", "usk", "sjuksköterska", "sjuksköterskan", "undersköterska",
    "undersköterskan", "läkare", "läkaren", "dr", "doktor", "doktorn", "överläkare", "kontaktperson",
    "god man", "herr", "fru", "namn", "heter",
)
_CONTEXT = re.compile(
    r"(?i:\b(?:" + "|".join(re.escape(w) for w in _NAME_CONTEXT) + r"))(?P<abbr>\.)?[,:]?\s+"
    rf"(?P<name>{_CAP}(?:\s+{_CAP})?)"
)
_SURNAME_SUFFIX = re.compile(rf"\b[{_UPPER}][a-zåäöéü]+(?:sson|ssons)\b")
_LEX = re.compile(r"(?i:\blex)\s+$")  # lex Maria, lex Sarah: the laws, not people
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")


def _load_first_names() -> frozenset[str]:
    path = Path(__file__).with_name("swedish_first_names.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


FIRST_NAMES = _load_first_names()


@dataclass(frozen=True)
class Scrubbed:
    text: str
    identity_numbers: int
    names: int


def _sentence_start(text: str, pos: int) -> bool:
    return _SENTENCE_END.search(text[:pos]) is not None


def scrub(text: str) -> Scrubbed:
    """``text`` with identity numbers replaced by ``[personnummer]`` and names by ``[namn]``."""
    if not text:
        return Scrubbed("", 0, 0)
    text, ids = _ID_NUMBER.subn(ID_MARK, text)
    names = 0

    def mark(spans: list[tuple[int, int]]) -> None:
        nonlocal text, names
        for start, end in sorted(spans, reverse=True):
            text = text[:start] + NAME_MARK + text[end:]
            names += 1

    # "patienten Anna Svensson", "anhörig: Karlsson". After the abbreviation "pat." a capitalised word
    # may just start the next sentence, so there the word must be a listed first name or be followed
    # by a second capitalised word.
    spans = []
    for m in _CONTEXT.finditer(text):
        name = m.group("name")
        if m.group("abbr") and " " not in name and name not in FIRST_NAMES:
            continue
        spans.append(m.span("name"))
    mark(spans)

    # A listed first name, with the capitalised word after it as the surname. Alone, a listed first
    # name counts only inside a sentence ("Per", "Bo", "Vera" also begin Swedish sentences).
    spans = []
    for m in _CAP_WORD.finditer(text):
        word = m.group(0)
        if word not in FIRST_NAMES or _LEX.search(text[:m.start()]):
            continue
        end = m.end()
        after = re.match(rf"\s+({_CAP})", text[end:])
        if after:
            spans.append((m.start(), end + after.end()))
        elif not _sentence_start(text, m.start()):
            spans.append(m.span())
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    mark(merged)

    # Surnames of the -sson kind wherever they stand.
    text, n = _SURNAME_SUFFIX.subn(NAME_MARK, text)
    return Scrubbed(text, ids, names + n)


# ---------------------------------------------------------------------------------------------
# 2. Normalising and tokens

STOP_WORDS = frozenset("""
alla allt alltså andra annan annat att av bara bli blev blir blivit bland båda både de dem den denna
dess dessa det detta dig din dina ditt du där då efter eftersom ej eller en er era ert ett finns fick
fanns få får för före förra från fått genom gick gjorde gjort gör göra ha hade han hans har hela hen
hennes hans hit hon honom hur här hos i icke ingen inget inga inom inte ja jag ju kan kunde kommer
kom man med mellan men mer mig min mina mitt mot mycket ned ni nog när nu någon något några och
också om oss på samma sedan sig sin sina sitt själv ska skall skulle som så sådan sådana till tills
under upp ut utan vad var vara varför varit varje vars vart vem vi vid vilka vilken vilket vill än
ännu är åt över även dessutom enligt per via cirka ca kl pga ang resp dvs bl a t ex tex osv etc
patient patienten patientens pat hens honom henne dom dem
gav gavs ges givits gjordes görs togs tog sattes ses informerades informerats kontaktades kontaktats
tillkallades
""".split()) | {NUMBER_TOKEN}
# (the last lines: verbs of reporting that close incidents of every kind, "gavs", "kontaktades", ...)

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_MARKS = re.compile(re.escape(ID_MARK) + "|" + re.escape(NAME_MARK))
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPACE = re.compile(r"\s+")
_NOT_LETTER = re.compile(r"[\W\d_]+")


def normalise(scrubbed_text: str) -> str:
    """Lower case, scrub marks and punctuation removed, every number ``nnn``."""
    text = _MARKS.sub(" ", scrubbed_text).lower()
    text = _NUMBER.sub(f" {NUMBER_TOKEN} ", text)
    text = _NOT_LETTER.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def prepare(text: str) -> str:
    """Scrubbed and normalised: the only form of a text the features see."""
    return normalise(scrub(text).text)


class _Stemmer:
    """Swedish snowball stems of words that are not stop words, with a cache (texts repeat words)."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("swedish")
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        s = self._cache.get(word)
        if s is None:
            s = self._stemmer.stemWord(word)
            self._cache[word] = s
        return s

    def words(self, prepared: str) -> list[str]:
        return [w for w in _WORD.findall(prepared) if w not in STOP_WORDS]

    def stems(self, prepared: str) -> list[str]:
        return [self.stem(w) for w in self.words(prepared)]


def _char_text(stemmer: _Stemmer, prepared: str) -> str:
    """The words the character n-grams are taken from: the text without stop words."""
    return " ".join(stemmer.words(prepared))


# ---------------------------------------------------------------------------------------------
# 3. Features


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf × idf, rows l2-normalised."""
    x = counts.astype(np.float32).tocsr()
    np.log1p(x.data, out=x.data)
    x = x @ sp.diags(idf.astype(np.float32))
    return normalize(x, norm="l2", copy=False).tocsr()


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def _min_df(n: int) -> int:
    return 2 if n < 1000 else 3


@dataclass
class Model:
    """A fitted topic model: everything needed to assign new texts, and nothing personal (the
    vocabulary is built from scrubbed text; only stems and character n-grams seen in at least
    ``min_df`` texts are kept)."""

    k: int
    word_vocabulary: list[str]
    word_idf: np.ndarray
    char_vocabulary: list[str]
    char_idf: np.ndarray
    components: np.ndarray  # k × (words + chars), non-negative
    labels: list[str]
    top_words: list[list[str]]
    threshold: float = DEFAULT_THRESHOLD
    char_weight: float = DEFAULT_CHAR_WEIGHT
    sizes: list[int] = field(default_factory=list)  # texts per topic at the fit
    char_range: tuple[int, int] = DEFAULT_CHAR_RANGE

    def to_bytes(self) -> bytes:
        meta = {"format": FORMAT_VERSION, "k": self.k, "labels": self.labels, "top_words": self.top_words,
                "threshold": self.threshold, "char_weight": self.char_weight, "sizes": self.sizes,
                "method": "segments-merged", "char_range": list(self.char_range)}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            word_vocabulary=np.frombuffer("\n".join(self.word_vocabulary).encode(), dtype=np.uint8),
            char_vocabulary=np.frombuffer("\x00".join(self.char_vocabulary).encode(), dtype=np.uint8),
            word_idf=self.word_idf.astype(np.float32),
            char_idf=self.char_idf.astype(np.float32),
            components=self.components.astype(np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError("okänt format på ämnesmodellen")
            words = z["word_vocabulary"].tobytes().decode()
            chars = z["char_vocabulary"].tobytes().decode()
            return cls(
                k=meta["k"], word_vocabulary=words.split("\n") if words else [],
                word_idf=z["word_idf"], char_vocabulary=chars.split("\x00") if chars else [],
                char_idf=z["char_idf"], components=z["components"], labels=meta["labels"],
                top_words=meta["top_words"], threshold=meta["threshold"], char_weight=meta["char_weight"],
                sizes=meta.get("sizes", []),
                char_range=tuple(meta.get("char_range", DEFAULT_CHAR_RANGE)),
            )


def _stack(words: sp.csr_matrix, chars: sp.csr_matrix, char_weight: float) -> sp.csr_matrix:
    x = sp.hstack([words * np.float32(np.sqrt(1 - char_weight)), chars * np.float32(np.sqrt(char_weight))],
                  format="csr")
    x.eliminate_zeros()
    return x


def _features(model: Model, prepared: Sequence[str], stemmer: _Stemmer) -> sp.csr_matrix:
    words = CountVectorizer(analyzer=stemmer.stems, vocabulary=model.word_vocabulary).transform(prepared)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=model.char_range, vocabulary=model.char_vocabulary,
                            dtype=np.int32).transform([_char_text(stemmer, p) for p in prepared])
    return _stack(_tfidf(words, model.word_idf), _tfidf(chars, model.char_idf), model.char_weight)


# ---------------------------------------------------------------------------------------------
# 4–5. Topics and assignment


@dataclass(frozen=True)
class Assignment:
    topic: int | None  # 1..k, or None for "övrigt"
    weight: float  # the dominant topic's share of the text's topic weight (0 for an empty text)


# Sweeps of coordinate descent in the projection: a fixed number and no convergence test over the
# batch, so a text's weights never depend on which other texts it was assigned with.
PROJECTION_SWEEPS = 30


def _project(model: Model, x: sp.csr_matrix) -> np.ndarray:
    """Topic weights of the rows of ``x`` with the stored topic vectors H held fixed: for each row
    the non-negative least squares min ||x - wH||², by coordinate descent over the k weights.

    Each row is solved on its own (only xHᵀ and HHᵀ are needed), so the result is the same in any
    batch, and the cost is one sparse product plus n·k² per sweep: 50 000 texts take seconds.
    """
    h = model.components.astype(np.float64)
    if x.shape[0] == 0:
        return np.zeros((0, model.k), dtype=np.float64)
    hht = h @ h.T
    diag = np.maximum(np.diag(hht).copy(), 1e-12)
    xht = np.asarray(x.astype(np.float64) @ h.T)
    w = np.maximum(xht / diag, 0.0) / model.k
    for _ in range(PROJECTION_SWEEPS):
        for t in range(model.k):
            gradient = (w * hht[t]).sum(axis=1) - xht[:, t]
            w[:, t] = np.maximum(0.0, w[:, t] - gradient / diag[t])
    return w


def _decide(w: np.ndarray, threshold: float) -> list[Assignment]:
    out = []
    totals = w.sum(axis=1)
    best = w.argmax(axis=1) if w.shape[1] else np.zeros(w.shape[0], dtype=int)
    for i in range(w.shape[0]):
        total = float(totals[i])
        if total <= 1e-9:
            out.append(Assignment(None, 0.0))
            continue
        share = float(w[i, best[i]]) / total
        out.append(Assignment(int(best[i]) + 1 if share >= threshold else None, round(share, 4)))
    return out


def assign(model: Model, texts: Iterable[str], *, batch: int = 5000) -> list[Assignment]:
    """Each text's topic under ``model`` (stable: the components are not refitted)."""
    stemmer = _Stemmer()
    out: list[Assignment] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            out.extend(_decide(_project(model, _features(model, chunk, stemmer)), model.threshold))
            chunk.clear()

    for text in texts:
        chunk.append(prepare(text))
        if len(chunk) >= batch:
            flush()
    flush()
    return out


def _labels(components: np.ndarray, stems: list[str], surface: dict[str, Counter], n_top: int = 8
            ) -> tuple[list[str], list[list[str]]]:
    labels, tops = [], []
    n_words = len(stems)
    for row in components:
        order = np.argsort(-row[:n_words], kind="stable")
        words = []
        for j in order:
            if row[j] <= 0 or len(words) >= n_top:
                break
            counts = surface.get(stems[j])
            word = counts.most_common(1)[0][0] if counts else stems[j]
            if word not in words:
                words.append(word)
        tops.append(words)
        labels.append(", ".join(words[:3]) if words else OTHER_LABEL)
    return labels, tops


def _merge(means: np.ndarray, sizes: np.ndarray, merge_cosine: float, k: int) -> list[list[int]]:
    """Groups of segments: start with one group per segment and merge the two groups whose mean
    vectors have the highest cosine while it is at least ``merge_cosine`` (one theme). Past that,
    while there are more than ``k`` groups, merge the two whose union adds least to the spread
    around the means (Ward's cost, n_a·n_b/(n_a+n_b)·|m_a − m_b|²), so that small themes are
    folded together before two large, distinct patterns are. A group's mean is the size-weighted
    mean of its segments' means (the mean of its texts)."""
    groups = [[i] for i in range(len(means))]
    sums = [means[i] * sizes[i] for i in range(len(means))]
    counts = [float(sizes[i]) for i in range(len(means))]
    while len(groups) > 1:
        total = np.array(sums)
        unit = normalize(total)
        cos = unit @ unit.T
        np.fill_diagonal(cos, -np.inf)
        i, j = np.unravel_index(int(np.argmax(cos)), cos.shape)
        if cos[i, j] < merge_cosine:
            if len(groups) <= k:
                break
            n = np.maximum(np.array(counts), 1.0)
            m = total / n[:, None]
            sq = (m * m).sum(axis=1)
            dist = np.maximum(sq[:, None] + sq[None, :] - 2 * (m @ m.T), 0.0)
            cost = dist * (n[:, None] * n[None, :]) / (n[:, None] + n[None, :])
            np.fill_diagonal(cost, np.inf)
            i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        i, j = min(i, j), max(i, j)
        groups[i] += groups.pop(j)
        sums[i] = sums[i] + sums.pop(j)
        counts[i] += counts.pop(j)
    return groups


def fit(texts: Sequence[str], k: int = DEFAULT_K, *, threshold: float = DEFAULT_THRESHOLD,
        char_weight: float = DEFAULT_CHAR_WEIGHT, max_words: int = DEFAULT_MAX_WORDS,
        max_chars: int = DEFAULT_MAX_CHARS, char_range: tuple[int, int] = DEFAULT_CHAR_RANGE,
        sample: int | None = DEFAULT_SAMPLE, segments: int = DEFAULT_SEGMENTS,
        merge_cosine: float = DEFAULT_MERGE_COSINE) -> Model:
    """A model of at most ``k`` patterns in ``texts``, numbered 1.. from the largest.

    The vocabulary, idf and pattern vectors are learnt from a random sample of at most ``sample``
    non-empty texts (fixed seed; None: all of them): recurring patterns are as visible in 10 000
    texts as in 50 000, and the fit's time stays bounded. The sample is cut into ``segments``
    k-means segments, which are merged while their mean vectors are at least ``merge_cosine``
    alike, and further down to ``k`` if more remain. Patterns are numbered by how many of the
    sampled texts the stored projection assigns to them.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if not 0 < char_weight < 1:
        raise ValueError("char_weight must lie strictly between 0 and 1")
    stemmer = _Stemmer()
    prepared = [p for p in (prepare(t) for t in texts) if p]
    if sample is not None and len(prepared) > sample:
        prepared = random.Random(RANDOM_STATE).sample(prepared, sample)
    if len(prepared) < k:
        raise ValueError("too few non-empty texts for k topics")
    min_df = _min_df(len(prepared))

    surface: dict[str, Counter] = {}

    def stems_and_surface(p: str) -> list[str]:
        out = []
        for w in stemmer.words(p):
            s = stemmer.stem(w)
            surface.setdefault(s, Counter())[w] += 1
            out.append(s)
        return out

    word_vec = CountVectorizer(analyzer=stems_and_surface, min_df=min_df, max_df=0.5, max_features=max_words)
    word_counts = word_vec.fit_transform(prepared).tocsr()
    word_vocabulary = list(word_vec.get_feature_names_out())
    char_vec = CountVectorizer(analyzer="char_wb", ngram_range=char_range, min_df=min_df, max_df=0.5,
                               max_features=max_chars, dtype=np.int32)
    char_counts = char_vec.fit_transform([_char_text(stemmer, p) for p in prepared]).tocsr()
    char_vocabulary = list(char_vec.get_feature_names_out())
    # columns in the vocabulary's sorted order, as get_feature_names_out lists them
    word_idf, char_idf = _idf(word_counts), _idf(char_counts)
    x = _stack(_tfidf(word_counts, word_idf), _tfidf(char_counts, char_idf), char_weight)

    # Over-segment: many small segments, each within one theme (rows are l2-normalised, so k-means'
    # Euclidean distance orders like the cosine). Rows without any kept term sit at the origin and
    # are left out. Then merge the segments back into patterns.
    live = np.flatnonzero(np.diff(x.indptr) > 0)
    n_segments = max(k, min(segments, len(live) // MIN_SEGMENT_SIZE))
    n_segments = min(n_segments, len(live))
    if n_segments < k:
        raise ValueError("too few texts with known words for k topics")
    xl = x[live]
    labels = KMeans(n_clusters=n_segments, init="k-means++", n_init=1, max_iter=100, tol=1e-4,
                    random_state=RANDOM_STATE).fit(xl).labels_
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                           shape=(n_segments, len(labels)))
    seg_sizes = np.bincount(labels, minlength=n_segments).astype(np.float64)
    seg_means = np.asarray((onehot @ xl).todense()) / np.maximum(seg_sizes, 1)[:, None]
    groups = _merge(seg_means, seg_sizes, merge_cosine, k)
    components = np.array([(seg_means[g] * seg_sizes[g][:, None]).sum(axis=0) / seg_sizes[g].sum()
                           for g in groups])
    model = Model(k=len(groups), word_vocabulary=word_vocabulary, word_idf=word_idf,
                  char_vocabulary=char_vocabulary, char_idf=char_idf, components=components.astype(np.float32),
                  labels=[], top_words=[], threshold=threshold, char_weight=char_weight, char_range=char_range)
    # Number the patterns by size under the stored projection, largest first (ties by merge order).
    decided = _decide(_project(model, x), threshold)
    sizes = Counter(a.topic for a in decided if a.topic is not None)
    order = sorted(range(model.k), key=lambda i: (-sizes.get(i + 1, 0), i))
    model.components = model.components[order]
    model.sizes = [sizes.get(i + 1, 0) for i in order]
    model.labels, model.top_words = _labels(model.components, word_vocabulary,
                                            {s: surface[s] for s in word_vocabulary})
    return model
